package alert_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/constructs/alert"
	"github.com/partialruns/velib-pipeline/internal/cdktest"
	"github.com/partialruns/velib-pipeline/internal/cfntext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { cdktest.Main(m) }

// build defines an alert on a one-state machine, with edit applied to valid
// props, and returns the stack or the failure message.
func build(edit func(p *alert.Props)) (stack awscdk.Stack, msg string) {
	msg = cdktest.Catch(func() {
		var machine sfn.StateMachine
		stack, machine = cdktest.MachineStack("")
		p := alert.Props{StateMachine: machine, Key: awskms.NewKey(stack, jsii.String("Key"), nil)}
		if edit != nil {
			edit(&p)
		}
		alert.New(stack, jsii.String("Failures"), &p)
	})
	return stack, msg
}

func synth(t *testing.T, edit func(p *alert.Props)) *cdktest.Template {
	t.Helper()
	stack, msg := build(edit)
	require.Empty(t, msg)
	return cdktest.Synth(t, stack)
}

func TestRuleAndTopic(t *testing.T) {
	tpl := synth(t, nil)
	tpl.Has(t, "AWS::Events::Rule", map[string]any{
		"EventPattern": map[string]any{
			"source":      []any{"aws.states"},
			"detail-type": []any{"Step Functions Execution Status Change"},
			"detail": map[string]any{
				"status":          []any{"FAILED", "TIMED_OUT", "ABORTED"},
				"stateMachineArn": []any{map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Machine"))}},
			},
		},
		"Targets": []any{assertions.Match_ObjectLike(&map[string]any{
			"RoleArn": assertions.Match_AnyValue(),
			"InputTransformer": assertions.Match_ObjectLike(&map[string]any{
				"InputTemplate": assertions.Match_StringLikeRegexp(jsii.String("ended <detail-status>")),
			}),
		})},
	})
	tpl.Has(t, "AWS::SNS::Topic", map[string]any{"KmsMasterKeyId": assertions.Match_AnyValue()})
	assert.Empty(t, tpl.Resources("AWS::SNS::Subscription"))

	// The target's role may publish to this topic and nothing else.
	var publish int
	for _, policy := range tpl.Statements() {
		for _, st := range policy {
			if strings.Join(cdktest.Strings(st["Action"]), ",") == "sns:Publish" {
				publish++
				assert.Len(t, cdktest.Strings(st["Resource"]), 1)
				assert.Contains(t, cdktest.Strings(st["Resource"])[0], `"Ref":"FailuresTopic`)
			}
		}
	}
	assert.Equal(t, 1, publish)

	// The target's role publishes: the key policy grants EventBridge
	// nothing, so no other rule can use the key through the service.
	for _, k := range tpl.Resources("AWS::KMS::Key") {
		keyPolicy := strings.Join(cdktest.Strings(k["Properties"].(map[string]any)["KeyPolicy"]), "")
		assert.NotContains(t, keyPolicy, "events.amazonaws.com")
	}
}

// TestUndeliveredAlertsAreKept: the target retries for a day, then sends
// the event to an encrypted dead-letter queue, which an alarm watches.
func TestUndeliveredAlertsAreKept(t *testing.T) {
	tpl := synth(t, nil)
	tpl.Has(t, "AWS::SQS::Queue", map[string]any{"SqsManagedSseEnabled": true, "MessageRetentionPeriod": 1209600})
	tpl.Has(t, "AWS::Events::Rule", map[string]any{"Targets": []any{assertions.Match_ObjectLike(&map[string]any{
		"RetryPolicy":      map[string]any{"MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 86400},
		"DeadLetterConfig": map[string]any{"Arn": map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^FailuresDeadLetters")), "Arn"}}},
	})}})
	tpl.Has(t, "AWS::CloudWatch::Alarm", map[string]any{
		"MetricName": "ApproximateNumberOfMessagesVisible", "Namespace": "AWS/SQS", "Threshold": 1,
		"ComparisonOperator": "GreaterThanOrEqualToThreshold",
	})
	// EventBridge may send to the queue for this rule only.
	tpl.Has(t, "AWS::SQS::QueuePolicy", map[string]any{"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{
		assertions.Match_ObjectLike(&map[string]any{
			"Principal": map[string]any{"Service": "events.amazonaws.com"},
			"Condition": map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": assertions.Match_AnyValue()}},
		}),
	})}})
}

func TestEmail(t *testing.T) {
	tpl := synth(t, func(p *alert.Props) { p.Email = "ops@example.org" })
	tpl.Has(t, "AWS::SNS::Subscription", map[string]any{
		"Protocol": "email", "Endpoint": "ops@example.org",
		"RedrivePolicy": map[string]any{"deadLetterTargetArn": assertions.Match_AnyValue()},
	})
}

// TestNoSubscriberIsReported: without an address, the synth warns that
// failures notify nobody; with one, it does not.
func TestNoSubscriberIsReported(t *testing.T) {
	for _, c := range []struct {
		email string
		warns int
	}{{"", 1}, {"ops@example.org", 0}} {
		stack, msg := build(func(p *alert.Props) { p.Email = c.email })
		require.Empty(t, msg)
		warnings := assertions.Annotations_FromStack(stack).FindWarning(jsii.String("*"),
			assertions.Match_StringLikeRegexp(jsii.String("no subscriber")))
		assert.Len(t, *warnings, c.warns, "email %q", c.email)
	}
}

func TestInvalidProps(t *testing.T) {
	tests := []struct {
		name string
		edit func(p *alert.Props)
		want string
	}{
		{"no key", func(p *alert.Props) { p.Key = nil }, "alert: Failures: StateMachine and Key are required"},
		{"no state machine", func(p *alert.Props) { p.StateMachine = nil }, "StateMachine and Key are required"},
		{"address with a name", func(p *alert.Props) { p.Email = "Ops <ops@example.org>" }, `"Ops <ops@example.org>" is not a plain e-mail address`},
		{"not an address", func(p *alert.Props) { p.Email = "ops" }, `"ops" is not a plain e-mail address`},
		{"name too long", func(p *alert.Props) { p.Name = jsii.String(strings.Repeat("x", 65)) }, "must be 1 to 64 letters, digits, hyphens or underscores"},
		{"name with a dot", func(p *alert.Props) { p.Name = jsii.String("team.failures") }, `alert: Failures: name "team.failures" must be`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, msg := build(tc.edit)
			assert.Contains(t, msg, tc.want)
		})
	}
}

// scopedTo asserts that a statement is conditioned on the account and on
// the one source ARN given.
func scopedTo(t *testing.T, st map[string]any, arn string) {
	t.Helper()
	cond, _ := st["Condition"].(map[string]any)
	require.NotNil(t, cond, "no condition on %v", st)
	account, _ := cond["StringEquals"].(map[string]any)
	assert.Equal(t, map[string]any{"Ref": "AWS::AccountId"}, account["aws:SourceAccount"])
	like, _ := cond["ArnLike"].(map[string]any)
	sources, _ := like["aws:SourceArn"].([]any)
	require.Len(t, sources, 1, "aws:SourceArn of %v", st)
	assert.Equal(t, arn, cfntext.String(sources[0]))
}

// statements are the statements of the resources of type typ, under
// property prop (a policy document).
func statements(tpl *cdktest.Template, typ, prop string) []map[string]any {
	var out []map[string]any
	for _, r := range tpl.Resources(typ) {
		doc := r["Properties"].(map[string]any)[prop].(map[string]any)
		for _, st := range doc["Statement"].([]any) {
			out = append(out, st.(map[string]any))
		}
	}
	return out
}

// byService picks the statements that name service as their principal.
func byService(sts []map[string]any, service string) []map[string]any {
	var out []map[string]any
	for _, st := range sts {
		if p, ok := st["Principal"].(map[string]any); ok && p["Service"] == service {
			out = append(out, st)
		}
	}
	return out
}

// TestTrustIsScoped: EventBridge may assume the target's role only for
// this rule, and CloudWatch may publish to the topic and use its key only
// for this alarm, both in the stack's account.
func TestTrustIsScoped(t *testing.T) {
	tpl := synth(t, func(p *alert.Props) { p.Name = jsii.String("team-failures") })
	const (
		rule  = "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/team-failures"
		alarm = "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:team-failures-undelivered"
	)
	tpl.Has(t, "AWS::Events::Rule", map[string]any{"Name": "team-failures"})
	tpl.Has(t, "AWS::CloudWatch::Alarm", map[string]any{"AlarmName": "team-failures-undelivered"})
	tpl.Has(t, "AWS::SNS::Topic", map[string]any{"TopicName": "team-failures"})

	trust := byService(statements(tpl, "AWS::IAM::Role", "AssumeRolePolicyDocument"), "events.amazonaws.com")
	require.Len(t, trust, 1)
	scopedTo(t, trust[0], rule)

	publish := byService(statements(tpl, "AWS::SNS::TopicPolicy", "PolicyDocument"), "cloudwatch.amazonaws.com")
	require.Len(t, publish, 1)
	assert.Equal(t, "sns:Publish", publish[0]["Action"])
	scopedTo(t, publish[0], alarm)

	key := byService(statements(tpl, "AWS::KMS::Key", "KeyPolicy"), "cloudwatch.amazonaws.com")
	require.Len(t, key, 1)
	assert.ElementsMatch(t, []any{"kms:Decrypt", "kms:GenerateDataKey*"}, key[0]["Action"])
	scopedTo(t, key[0], alarm)
}

// TestUndeliveredNotifies: the alarm on the dead-letter queue publishes to
// the topic, so an alert that got through late, or to another subscriber,
// says that some did not.
func TestUndeliveredNotifies(t *testing.T) {
	tpl := synth(t, nil)
	tpl.Has(t, "AWS::CloudWatch::Alarm", map[string]any{
		"AlarmActions": []any{map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^FailuresTopic"))}},
	})
}

// TestNames: without Name, each alert's names are its own and the same at
// every synth.
func TestNames(t *testing.T) {
	names := func() []string {
		stack := awscdk.NewStack(cdktest.NewApp(nil), jsii.String("Test"), nil)
		machine := sfn.NewStateMachine(stack, jsii.String("Machine"), &sfn.StateMachineProps{
			DefinitionBody: sfn.DefinitionBody_FromChainable(sfn.NewPass(stack, jsii.String("P"), nil)),
		})
		key := awskms.NewKey(stack, jsii.String("Key"), nil)
		for _, id := range []string{"First", "Second"} {
			alert.New(stack, jsii.String(id), &alert.Props{StateMachine: machine, Key: key})
		}
		var out []string
		for _, r := range cdktest.Synth(t, stack).Resources("AWS::Events::Rule") {
			out = append(out, r["Properties"].(map[string]any)["Name"].(string))
		}
		return out
	}
	first := names()
	require.Len(t, first, 2)
	assert.NotEqual(t, first[0], first[1])
	assert.ElementsMatch(t, first, names())
}

// TestSilence: a count of the awaited log lines, and an alarm when the
// count over the window is below one or there is no data at all.
func TestSilence(t *testing.T) {
	build := func(window float64, off bool) (*cdktest.Template, string) {
		var stack awscdk.Stack
		msg := cdktest.Catch(func() {
			stack = awscdk.NewStack(cdktest.NewApp(nil), jsii.String("Test"), nil)
			alert.NewSilence(stack, jsii.String("Quiet"), &alert.SilenceProps{
				LogGroup:  awslogs.NewLogGroup(stack, jsii.String("Logs"), nil),
				Pattern:   awslogs.FilterPattern_StringValue(jsii.String("$.msg"), jsii.String("="), jsii.String("snapshot written")),
				Namespace: "Pipeline", MetricName: "Snapshots", Window: awscdk.Duration_Minutes(jsii.Number(window)),
				AlarmName: "no-snapshots", Description: "No snapshot.", ActionsOff: off,
			})
		})
		if msg != "" {
			return nil, msg
		}
		return cdktest.Synth(t, stack), ""
	}
	tpl, msg := build(60, false)
	require.Empty(t, msg)
	tpl.Has(t, "AWS::Logs::MetricFilter", map[string]any{
		"FilterPattern":         `{ $.msg = "snapshot written" }`,
		"MetricTransformations": []any{map[string]any{"MetricNamespace": "Pipeline", "MetricName": "Snapshots", "MetricValue": "1"}},
	})
	tpl.Has(t, "AWS::CloudWatch::Alarm", map[string]any{
		"AlarmName": "no-snapshots", "Namespace": "Pipeline", "MetricName": "Snapshots", "Statistic": "Sum", "Period": 3600,
		"Threshold": 1, "ComparisonOperator": "LessThanThreshold", "TreatMissingData": "breaching", "ActionsEnabled": true,
	})
	tpl, _ = build(60, true)
	tpl.Has(t, "AWS::CloudWatch::Alarm", map[string]any{"ActionsEnabled": false})
	for _, w := range []float64{0, 1441} {
		_, msg := build(w, false)
		assert.Contains(t, msg, "the silence window must be whole minutes from 1 to 1440", w)
	}
}

// TestQuietExecutions: executions named with the quiet prefix are left
// out of the rule; without a prefix, none is.
func TestQuietExecutions(t *testing.T) {
	tpl := synth(t, func(p *alert.Props) { p.QuietPrefix = "quiet-" })
	tpl.Has(t, "AWS::Events::Rule", map[string]any{"EventPattern": map[string]any{"detail": assertions.Match_ObjectLike(&map[string]any{
		"name": []any{map[string]any{"anything-but": map[string]any{"prefix": "quiet-"}}},
	})}})
	for _, r := range synth(t, nil).Resources("AWS::Events::Rule") {
		detail := r["Properties"].(map[string]any)["EventPattern"].(map[string]any)["detail"].(map[string]any)
		assert.NotContains(t, detail, "name")
	}
}

// TestWatch: a second machine's executions that end badly join the rule's,
// under the same statuses.
func TestWatch(t *testing.T) {
	var tpl *cdktest.Template
	msg := cdktest.Catch(func() {
		s, machine := cdktest.MachineStack("")
		a := alert.New(s, jsii.String("Failures"), &alert.Props{StateMachine: machine, Key: awskms.NewKey(s, jsii.String("Key"), nil)})
		other := sfn.NewStateMachine(s, jsii.String("Helper"), &sfn.StateMachineProps{
			DefinitionBody: sfn.DefinitionBody_FromChainable(sfn.NewPass(s, jsii.String("Help"), nil)),
		})
		a.Watch(other)
		tpl = cdktest.Synth(t, s)
	})
	require.Empty(t, msg)
	tpl.Has(t, "AWS::Events::Rule", map[string]any{
		"EventPattern": map[string]any{
			"source":      []any{"aws.states"},
			"detail-type": []any{"Step Functions Execution Status Change"},
			"detail": map[string]any{
				"status": []any{"FAILED", "TIMED_OUT", "ABORTED"},
				"stateMachineArn": []any{
					map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Machine"))},
					map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Helper"))},
				},
			},
		},
	})
}
