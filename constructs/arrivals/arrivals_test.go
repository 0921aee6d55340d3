package arrivals_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/constructs/arrivals"
	"github.com/partialruns/velib-pipeline/internal/cdktest"
)

func TestMain(m *testing.M) { cdktest.Main(m) }

// props are valid props in a new stack, changed by edit.
func props(edit func(stack awscdk.Stack, p *arrivals.Props)) (awscdk.Stack, *arrivals.Props) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("S"), nil)
	p := &arrivals.Props{
		Bucket: awss3.NewBucket(stack, jsii.String("Data"), nil), Prefix: "arrivals/",
		Target: sfn.NewStateMachine(stack, jsii.String("Target"), &sfn.StateMachineProps{
			DefinitionBody: sfn.DefinitionBody_FromChainable(sfn.NewPass(stack, jsii.String("Work"), nil)),
		}),
		Quiet: awscdk.Duration_Minutes(jsii.Number(5)), Folders: 3, InputKey: "arrivals", Name: "w",
		Key: awskms.NewKey(stack, jsii.String("Key"), nil), LogGroupName: "/aws/vendedlogs/states/w",
		Timeout: awscdk.Duration_Hours(jsii.Number(2)),
	}
	if edit != nil {
		edit(stack, p)
	}
	return stack, p
}

// TestNewRefuses: a missing or wrong prop panics at synth, naming it.
func TestNewRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, want string
		edit       func(awscdk.Stack, *arrivals.Props)
	}{
		{"no target", "Bucket, Target, Key, Quiet and Timeout are required", func(_ awscdk.Stack, p *arrivals.Props) { p.Target = nil }},
		{"no prefix", "Prefix and InputKey are required", func(_ awscdk.Stack, p *arrivals.Props) { p.Prefix = "" }},
		{"a name with a space", `name "a b" must be`, func(_ awscdk.Stack, p *arrivals.Props) { p.Name = "a b" }},
		{"a quiet time of 30 s", "a quiet time under a minute splits bursts; got 30 seconds", func(_ awscdk.Stack, p *arrivals.Props) {
			p.Quiet = awscdk.Duration_Seconds(jsii.Number(30))
		}},
		{"negative folders", "Folders and MaxTakes must not be negative", func(_ awscdk.Stack, p *arrivals.Props) { p.Folders = -1 }},
		{"an imported bucket", "the bucket must be defined in this app", func(stack awscdk.Stack, p *arrivals.Props) {
			p.Bucket = awss3.Bucket_FromBucketName(stack, jsii.String("Imported"), jsii.String("elsewhere"))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := cdktest.Catch(func() {
				stack, p := props(tc.edit)
				arrivals.New(stack, jsii.String("A"), p)
			})
			if !strings.Contains(msg, tc.want) {
				t.Errorf("panic %q, want one saying %q", msg, tc.want)
			}
		})
	}
}

// TestResources: the bucket sends its events to EventBridge in its own
// properties (no custom resource); the queue of keys is encrypted with
// the given key and sets aside a key taken five times; the window is a
// Standard machine with the given timeout, started by the rule with a
// dead-letter queue; the alarm watches that queue.
func TestResources(t *testing.T) {
	stack, p := props(nil)
	arrivals.New(stack, jsii.String("A"), p)
	tpl := assertions.Template_FromStack(stack, nil)
	tpl.HasResourceProperties(jsii.String("AWS::S3::Bucket"), map[string]any{
		"NotificationConfiguration": map[string]any{"EventBridgeConfiguration": map[string]any{"EventBridgeEnabled": true}},
	})
	tpl.ResourceCountIs(jsii.String("Custom::S3BucketNotifications"), jsii.Number(0))
	tpl.HasResourceProperties(jsii.String("AWS::SQS::Queue"), map[string]any{
		"KmsMasterKeyId": assertions.Match_AnyValue(),
		"RedrivePolicy":  map[string]any{"maxReceiveCount": 5, "deadLetterTargetArn": assertions.Match_AnyValue()},
	})
	tpl.HasResourceProperties(jsii.String("AWS::StepFunctions::StateMachine"), map[string]any{
		"StateMachineName": "w", "StateMachineType": "STANDARD",
	})
	tpl.HasResourceProperties(jsii.String("AWS::Events::Rule"), map[string]any{
		"Name": "w",
		"Targets": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
			"DeadLetterConfig": assertions.Match_AnyValue(),
			"RetryPolicy":      map[string]any{"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185},
		})}),
	})
	tpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), map[string]any{
		"AlarmName": "w-undelivered", "MetricName": "ApproximateNumberOfMessagesVisible", "Threshold": 1,
	})
}
