package stacks

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// CheckovSkip is one checkov check that does not apply to one resource.
type CheckovSkip struct {
	// Path is the construct's path below the stack; the skip goes on its
	// CloudFormation resource.
	Path string
	// Check is checkov's id, e.g. "CKV_AWS_117".
	Check string
	// Reason is what a reviewer reads.
	Reason string
	// Only, when set, says which configurations have the resource (the
	// others do not, and the skip stands aside there).
	Only string
}

// autoDeleteHandler is the function CDK adds to empty the buckets when a
// stack deployed with removalPolicy=destroy is deleted.
const autoDeleteHandler = "Custom::S3AutoDeleteObjectsCustomResourceProvider/Handler"

// Configurations that add resources.
const (
	withDestroy   = "with `removalPolicy=destroy`"
	withSchedules = "with schedules (the default)"
	withEventRuns = "with `eventRuns.enabled`"
)

// CheckovSkips lists every checkov check skipped, each on one resource, with
// its reason. docs/security.md is generated from this list.
func CheckovSkips() []CheckovSkip {
	return []CheckovSkip{
		{Path: "AccessLogs", Check: "CKV_AWS_18",
			Reason: "This bucket receives the data bucket's access logs; logging its own accesses would need a third bucket, and the logs it holds are read by nobody but an auditor."},
		{Path: "AccessLogs", Check: "CKV_AWS_21",
			Reason: "Access logs are written once by S3 and expire after 90 days; versioning would keep a second copy of each for nothing to recover."},
		{Path: "LoadData", Check: "CKV_AWS_116", Reason: reasonSynchronousOnly},
		{Path: "LoadData", Check: "CKV_AWS_117",
			Reason: "The function fetches a public HTTPS feed and writes to S3; in a VPC it would need a NAT gateway (about 33 USD a month per zone, before data) to reach the same feed."},
		{Path: "LoadData", Check: "CKV_AWS_115",
			Reason: "Each execution invokes it once; reserved concurrency would be taken from the account's unreserved pool, which accounts with a low quota cannot spare, for a function that never runs twice at once."},
		{Path: "LoadData", Check: "CKV_AWS_173",
			Reason: "Its environment holds the feed URL, the bucket name and a key prefix, none of them secret; Lambda encrypts environment variables at rest with an AWS managed key in any case."},
		{Path: "Failures/DeadLetters", Check: "CKV_AWS_27",
			Reason: "The queue is encrypted at rest with SQS-managed keys; a customer key would have to be opened to EventBridge and SNS in its key policy, a wider grant than the few undelivered alerts it holds call for."},
		{Path: "Schedules/DeadLetters", Check: "CKV_AWS_27", Only: withSchedules,
			Reason: "The queue is encrypted at rest with SQS-managed keys; a customer key would have to be opened to EventBridge Scheduler in its key policy, a wider grant than the few failed starts it holds call for."},
		{Path: "Arrivals/DeadLetters", Check: "CKV_AWS_27", Only: withEventRuns,
			Reason: "The queue is encrypted at rest with SQS-managed keys; a customer key would have to be opened to EventBridge in its key policy, a wider grant than the few arrivals that started no run call for."},
		{Path: autoDeleteHandler, Check: "CKV_AWS_115", Only: withDestroy,
			Reason: "CDK's auto-delete function (removalPolicy=destroy only) runs once, when CloudFormation deletes a bucket."},
		{Path: autoDeleteHandler, Check: "CKV_AWS_116", Only: withDestroy,
			Reason: "CDK's auto-delete function is invoked synchronously by CloudFormation, which reports its failure; it has no asynchronous invocation to dead-letter."},
		{Path: autoDeleteHandler, Check: "CKV_AWS_117", Only: withDestroy,
			Reason: "CDK's auto-delete function calls only the S3 API; a VPC would add a NAT gateway or endpoint for a function that runs when the stack is deleted."},
	}
}

// skipChecks writes the skips into the resources' metadata, where checkov
// reads them. A path that matches nothing fails the synth, unless all its
// skips are optional.
func skipChecks(stack awscdk.Stack) {
	type resource struct {
		skips    []map[string]string
		optional bool
	}
	byPath := map[string]*resource{}
	var order []string
	for _, s := range CheckovSkips() {
		r := byPath[s.Path]
		if r == nil {
			r = &resource{optional: true}
			byPath[s.Path] = r
			order = append(order, s.Path)
		}
		r.skips = append(r.skips, map[string]string{"id": s.Check, "comment": s.Reason})
		r.optional = r.optional && s.Only != ""
	}
	for _, path := range order {
		r := byPath[path]
		target := cfnResourceAt(stack, path)
		switch {
		case target != nil:
			target.AddMetadata(jsii.String("checkov"), map[string]any{"skip": r.skips})
		case !r.optional:
			panic(fmt.Errorf("checkov skip: no resource at %s", path))
		}
	}
}

// cfnResourceAt is the CloudFormation resource at path below the stack, or
// behind the construct there; nil if there is none.
func cfnResourceAt(stack awscdk.Stack, path string) awscdk.CfnResource {
	node := constructAt(stack, path)
	if node == nil {
		return nil
	}
	return cfnResource(node)
}

// constructAt is the construct at path (ids joined by "/") below the
// stack, or nil.
func constructAt(stack awscdk.Stack, path string) constructs.IConstruct {
	var node constructs.IConstruct = stack
	for _, id := range strings.Split(path, "/") {
		if node = node.Node().TryFindChild(jsii.String(id)); node == nil {
			return nil
		}
	}
	return node
}
