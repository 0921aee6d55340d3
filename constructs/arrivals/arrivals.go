package arrivals

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/internal/trust"
)

// Props configure [New].
type Props struct {
	// Bucket is watched. New turns on its EventBridge notifications, in
	// its own CloudFormation properties.
	Bucket awss3.IBucket
	// Prefix is where the watched keys start, e.g. "arrivals/". Keep it to
	// characters URL encoding leaves alone: S3 may encode a key's other
	// characters in its events.
	Prefix string
	// Target is started once per window.
	Target sfn.IStateMachine
	// Quiet is how long after the last file a window closes. At least a
	// minute.
	Quiet awscdk.Duration
	// Folders, when set, cuts each key to its first Folders folders, so
	// a window lists each day folder once, not every file in it.
	Folders int
	// MaxTakes is how many receives (of up to 10 keys each) one window
	// makes before it starts its run and hands the rest to a new window,
	// which keeps an execution far below Step Functions' 25,000 history
	// events. Default 1000.
	MaxTakes int
	// InputKey is the target input's key listing the keys or folders.
	InputKey string
	// Input is the rest of the target's input, e.g. flags.
	Input map[string]any
	// Name names the window's state machine, its rule and its alarm
	// ("<Name>-undelivered"); their ARNs appear in policies of resources
	// they depend on, so they are fixed. Letters, digits, '-' and '_'.
	Name string
	// RunPrefix starts the names of the target's runs; the rest is the
	// window execution's name.
	RunPrefix string
	// Key encrypts the queue of keys and the window's logs. The caller's
	// key policy must let CloudWatch Logs use it for LogGroupName.
	Key awskms.IKey
	// LogGroupName is the window's log group, e.g. under
	// /aws/vendedlogs/states/.
	LogGroupName string
	// LogRetention keeps the window's logs this long.
	LogRetention awslogs.RetentionDays
	// Timeout stops a window that waits longer than this for the target
	// to be free: the target's own longest run, say, plus the quiet time.
	Timeout awscdk.Duration
}

// Arrivals is the rule, the queue, the window state machine and the
// dead-letter queue with its alarm, inside a construct of their own.
type Arrivals struct {
	constructs.Construct
	Rule        awsevents.Rule
	Queue       awssqs.Queue
	Window      sfn.StateMachine
	DeadLetters awssqs.Queue
	// Undelivered is the alarm on DeadLetters, named AlarmName.
	Undelivered awscloudwatch.Alarm
	AlarmName   string
	// Stranded is the alarm on a key left on Queue for longer than a
	// window may wait, named StrandedName: no window is left to take it.
	Stranded     awscloudwatch.Alarm
	StrandedName string
}

var validName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// New defines the window for props. It panics on a missing field, a name
// that is not valid, or a quiet time under a minute.
func New(scope constructs.Construct, id *string, props *Props) *Arrivals {
	switch {
	case props.Bucket == nil || props.Target == nil || props.Key == nil || props.Quiet == nil || props.Timeout == nil:
		panic(fmt.Errorf("arrivals: %s: Bucket, Target, Key, Quiet and Timeout are required", *id))
	case !validName.MatchString(props.Name):
		panic(fmt.Errorf("arrivals: %s: name %q must be 1 to 64 letters, digits, '-' or '_'", *id, props.Name))
	case props.Prefix == "" || props.InputKey == "":
		panic(fmt.Errorf("arrivals: %s: Prefix and InputKey are required", *id))
	case *props.Quiet.ToSeconds(nil) < 60:
		panic(fmt.Errorf("arrivals: %s: a quiet time under a minute splits bursts; got %s", *id, *props.Quiet.ToHumanString()))
	case props.Folders < 0 || props.MaxTakes < 0:
		panic(fmt.Errorf("arrivals: %s: Folders and MaxTakes must not be negative", *id))
	}
	a := &Arrivals{Construct: constructs.NewConstruct(scope, id), AlarmName: props.Name + "-undelivered", StrandedName: props.Name + "-stranded"}
	maxTakes := props.MaxTakes
	if maxTakes == 0 {
		maxTakes = 1000
	}
	stack := awscdk.Stack_Of(a.Construct)

	// S3 sends every event of the bucket to the default bus, at no
	// charge; the rule below picks the prefix's. Set on the bucket's own
	// resource: CDK's eventBridgeEnabled would add a custom resource.
	cfn, ok := props.Bucket.Node().DefaultChild().(awss3.CfnBucket)
	if !ok {
		panic(fmt.Errorf("arrivals: %s: the bucket must be defined in this app (its AWS::S3::Bucket is changed)", *id))
	}
	cfn.AddPropertyOverride(jsii.String("NotificationConfiguration.EventBridgeConfiguration.EventBridgeEnabled"), true)

	// EventBridge writes here too: SQS-managed keys need no grant to it.
	a.DeadLetters = awssqs.NewQueue(a.Construct, jsii.String("DeadLetters"), &awssqs.QueueProps{
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(14)),
	})
	// Only the window reads and writes it, so it can take the caller's
	// key: no service needs a grant in the key's policy.
	a.Queue = awssqs.NewQueue(a.Construct, jsii.String("Queue"), &awssqs.QueueProps{
		Encryption:          awssqs.QueueEncryption_KMS,
		EncryptionMasterKey: props.Key,
		DataKeyReuse:        awscdk.Duration_Hours(jsii.Number(1)),
		EnforceSSL:          jsii.Bool(true),
		RetentionPeriod:     awscdk.Duration_Days(jsii.Number(14)),
		VisibilityTimeout:   awscdk.Duration_Seconds(jsii.Number(visibilitySec)),
		// A key taken five times and never deleted is set aside, and
		// alarmed on, rather than run forever.
		DeadLetterQueue: &awssqs.DeadLetterQueue{Queue: a.DeadLetters, MaxReceiveCount: jsii.Number(5)},
	})

	self := stack.FormatArn(&awscdk.ArnComponents{
		Service: jsii.String("states"), Resource: jsii.String("stateMachine"),
		ResourceName: jsii.String(props.Name), ArnFormat: awscdk.ArnFormat_COLON_RESOURCE_NAME,
	})
	a.Window = sfn.NewStateMachine(a.Construct, jsii.String("Window"), &sfn.StateMachineProps{
		StateMachineName: jsii.String(props.Name),
		StateMachineType: sfn.StateMachineType_STANDARD,
		QueryLanguage:    sfn.QueryLanguage_JSONATA,
		Comment:          jsii.String("One per file under " + props.Prefix + ": waits for the burst to be quiet, then the newest starts one run for all of it."),
		DefinitionBody: sfn.DefinitionBody_FromChainable(definition(a.Construct, windowProps{
			queue: a.Queue, target: props.Target, self: self, quiet: props.Quiet, folders: props.Folders, maxTakes: maxTakes,
			inputKey: props.InputKey, input: props.Input, runNamePrefix: props.RunPrefix,
		})),
		Timeout:        props.Timeout,
		TracingEnabled: jsii.Bool(true),
		Logs: &sfn.LogOptions{
			Destination: awslogs.NewLogGroup(a.Construct, jsii.String("Logs"), &awslogs.LogGroupProps{
				LogGroupName:  jsii.String(props.LogGroupName),
				Retention:     props.LogRetention,
				EncryptionKey: props.Key,
				RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
			}),
			Level:                sfn.LogLevel_ALL,
			IncludeExecutionData: jsii.Bool(true),
		},
		Role: awsiam.NewRole(a.Construct, jsii.String("Role"), &awsiam.RoleProps{
			AssumedBy: trust.Service("states.amazonaws.com", self),
		}),
	})

	// The window's SQS calls (granted by its tasks) need the queue's key:
	// a data key to send, and to decrypt what it sends and receives.
	a.Window.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("kms:GenerateDataKey", "kms:Decrypt"),
		Resources: &[]*string{props.Key.KeyArn()},
	}))

	ruleArn := stack.FormatArn(&awscdk.ArnComponents{
		Service: jsii.String("events"), Resource: jsii.String("rule"),
		ResourceName: jsii.String(props.Name), ArnFormat: awscdk.ArnFormat_SLASH_RESOURCE_NAME,
	})
	a.Rule = awsevents.NewRule(a.Construct, jsii.String("Rule"), &awsevents.RuleProps{
		RuleName:     jsii.String(props.Name),
		Description:  jsii.String("Objects created under " + props.Prefix + " start a window."),
		EventPattern: Pattern(props.Bucket.BucketName(), props.Prefix),
	})
	a.Rule.AddTarget(awseventstargets.NewSfnStateMachine(a.Window, &awseventstargets.SfnStateMachineProps{
		Role: awsiam.NewRole(a.Rule, jsii.String("EventsRole"), &awsiam.RoleProps{
			AssumedBy: trust.Service("events.amazonaws.com", ruleArn),
		}),
		RetryAttempts:   jsii.Number(185),
		MaxEventAge:     awscdk.Duration_Hours(jsii.Number(24)),
		DeadLetterQueue: a.DeadLetters,
	}))

	a.Undelivered = awscloudwatch.NewAlarm(a.Construct, jsii.String("Undelivered"), &awscloudwatch.AlarmProps{
		AlarmName:          jsii.String(a.AlarmName),
		AlarmDescription:   jsii.String("Files under " + props.Prefix + " that started no run are waiting in the dead-letter queue."),
		Metric:             a.DeadLetters.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{Period: awscdk.Duration_Minutes(jsii.Number(5))}),
		Threshold:          jsii.Number(1),
		EvaluationPeriods:  jsii.Number(1),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
	})
	// A window waits at most its timeout for the target; a key older than
	// that has no window left to take it (one failed, say), until a new
	// file lands.
	a.Stranded = awscloudwatch.NewAlarm(a.Construct, jsii.String("StrandedKeys"), &awscloudwatch.AlarmProps{
		AlarmName:        jsii.String(a.StrandedName),
		AlarmDescription: jsii.String("A file under " + props.Prefix + " has waited longer than any window may: start a run for its day, or land a file to open a window."),
		Metric: a.Queue.MetricApproximateAgeOfOldestMessage(&awscloudwatch.MetricOptions{
			Period: awscdk.Duration_Minutes(jsii.Number(5)), Statistic: jsii.String("Maximum"),
		}),
		Threshold:          props.Timeout.ToSeconds(nil),
		EvaluationPeriods:  jsii.Number(1),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
	})
	return a
}

// Pattern matches the Object Created events of bucket's keys under
// prefix, as S3 writes them or with the prefix's slashes URL-encoded.
func Pattern(bucket *string, prefix string) *awsevents.EventPattern {
	return &awsevents.EventPattern{
		Source:     jsii.Strings("aws.s3"),
		DetailType: jsii.Strings("Object Created"),
		Detail: &map[string]any{
			"bucket": map[string]any{"name": []any{bucket}},
			"object": map[string]any{"key": []any{
				map[string]any{"prefix": prefix},
				map[string]any{"prefix": encodeSlashes(prefix)},
			}},
		},
	}
}

// encodeSlashes is prefix with its slashes as URL encoding writes them.
func encodeSlashes(prefix string) string { return strings.ReplaceAll(prefix, "/", "%2F") }
