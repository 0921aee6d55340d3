// Package trust keeps an AWS service from being used as a confused deputy:
// a service principal that may act only on behalf of named resources of the
// stack's own account, through the aws:SourceAccount and aws:SourceArn
// condition keys, in a role's trust policy or a resource policy.
//
// Use it only where the service documents that it sends both keys (Step
// Functions and EventBridge when they assume a role, CloudWatch alarms when
// they publish to a topic): a service that does not send them would be
// refused, and the failure shows only on AWS.
package trust

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"
)

// Conditions lets a request through only when it is made for one of
// sources (ARNs, patterns allowed) in the stack's account.
func Conditions(sources ...*string) map[string]any {
	return map[string]any{
		"StringEquals": map[string]any{"aws:SourceAccount": awscdk.Aws_ACCOUNT_ID()},
		"ArnLike":      map[string]any{"aws:SourceArn": sources},
	}
}

// Service is the principal service (e.g. "states.amazonaws.com") acting
// for one of sources only.
func Service(service string, sources ...*string) awsiam.IPrincipal {
	conditions := Conditions(sources...)
	return awsiam.NewServicePrincipal(jsii.String(service), &awsiam.ServicePrincipalOpts{Conditions: &conditions})
}
