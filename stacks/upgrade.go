package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Logical ids under which resources with a fixed physical name were first
// deployed, when they were defined directly in the stack. Their constructs
// now own a scope of their own, which would give them new logical ids, and
// CloudFormation replaces a resource whose logical id changes by creating
// the new one first: under the same fixed name, that fails the update.
// stacks_test's deployed list checks every such id.
const deployedFailuresTopic = "FailuresTopic8CFD5254"

// deployedStateMachineRole is the logical id of the role CDK made for the
// state machine ("StateMachine/Role"), before the stack made its own.
const deployedStateMachineRole = "StateMachineRoleB840431D"

// deployedJobs maps each Glue job's construct id to its deployed logical id.
var deployedJobs = map[string]string{
	"RawToSilver":  "RawToSilverC9205871",
	"AvgStats":     "AvgStatsEFCA9424",
	"AvailPercent": "AvailPercent69638D38",
}

// logicalIDAt is the logical id CDK gives a resource at path (construct ids
// below the stack), as CDK itself computes it, in a scratch stack: for ids
// that depend on configuration, such as an e-mail subscription's.
func logicalIDAt(path ...string) string {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Scratch"), nil)
	var scope constructs.Construct = stack
	for _, id := range path[:len(path)-1] {
		scope = constructs.NewConstruct(scope, jsii.String(id))
	}
	res := awscdk.NewCfnResource(scope, jsii.String(path[len(path)-1]), &awscdk.CfnResourceProps{Type: jsii.String("Scratch::Resource")})
	return *stack.GetLogicalId(res)
}

// keepLogicalID pins c, or the CloudFormation resource behind it, to id.
func keepLogicalID(c constructs.IConstruct, id string) {
	cfnResource(c).OverrideLogicalId(&id)
}

// cfnResource is c itself when it is a CloudFormation resource, else the
// resource behind it (its default child), or nil.
func cfnResource(c constructs.IConstruct) awscdk.CfnResource {
	if r, ok := c.(awscdk.CfnResource); ok {
		return r
	}
	r, _ := c.Node().DefaultChild().(awscdk.CfnResource)
	return r
}
