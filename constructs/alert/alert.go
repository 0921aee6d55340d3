// Package alert sends a notification when a Step Functions execution ends
// badly (FAILED, TIMED_OUT or ABORTED), through an encrypted SNS topic fed
// by an EventBridge rule.
//
// Notifying from EventBridge rather than from a Catch inside the state
// machine keeps task failures as failures: a redrive restarts at the state
// that failed, whereas a caught failure would redrive into the catch path.
//
// An alert that cannot be delivered is not lost: EventBridge retries the
// topic for a day, then puts the event in a dead-letter queue, as SNS does
// with an e-mail it cannot deliver, and an alarm fires on any message in
// that queue; the alarm publishes to the topic too. A topic nobody
// subscribes to is reported at synth.
//
// Each service acts only for this alert: EventBridge may assume the
// target's role only for this rule, CloudWatch may publish to the topic and
// use its key only for this alarm, both in the stack's account. That is why
// the rule and the alarm have fixed names, derived from Props.Name: their
// ARNs are in the policies of resources they depend on.
package alert

import (
	"fmt"
	"net/mail"
	"regexp"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/internal/trust"
)

// Statuses is the set of execution statuses that trigger a notification.
var Statuses = []string{"FAILED", "TIMED_OUT", "ABORTED"}

// Props configure an [Alert].
type Props struct {
	// StateMachine is watched.
	StateMachine sfn.IStateMachine
	// Key encrypts the topic. Its policy gains a statement that lets the
	// alarm's CloudWatch use it for the topic.
	Key awskms.IKey
	// Name names the topic and the rule; the alarm is "<Name>-undelivered".
	// At most 64 letters, digits, hyphens or underscores (a rule's limit).
	// Default: a name unique to this construct's path in the app.
	Name *string
	// Email, when set, is subscribed to the topic (the address must confirm).
	Email string
	// QuietPrefix, when set, leaves out the executions whose name starts
	// with it, e.g. those of a schedule that runs every few minutes and
	// whose outage an alarm reports once, rather than once per run.
	QuietPrefix string
}

// Alert is the topic and the rule that feeds it, defined inside a
// construct of their own ("Topic" and "Rule" below the id given to New).
type Alert struct {
	constructs.Construct
	Topic awssns.Topic
	Rule  awsevents.Rule
	// Subscription is the e-mail subscription, nil without Props.Email.
	Subscription awssns.Subscription
	// DeadLetters receives the alerts that could not be delivered, and
	// Undelivered is the alarm on it.
	DeadLetters awssqs.Queue
	Undelivered awscloudwatch.Alarm
	key         awskms.IKey
}

// New defines the topic, the rule and, if an e-mail address is given, its
// subscription. It panics on a missing state machine or key, or an invalid
// address.
func New(scope constructs.Construct, id *string, props *Props) *Alert {
	if props.StateMachine == nil || props.Key == nil {
		panic(fmt.Errorf("alert: %s: StateMachine and Key are required", *id))
	}
	if props.Name != nil && !validName.MatchString(*props.Name) {
		panic(fmt.Errorf("alert: %s: name %q must be 1 to 64 letters, digits, hyphens or underscores", *id, *props.Name))
	}
	// Resources go into a.Construct, the jsii object: the Go struct that
	// embeds it is not one.
	a := &Alert{Construct: constructs.NewConstruct(scope, id)}
	name := props.Name
	if name == nil {
		name = awscdk.Names_UniqueResourceName(a.Construct, &awscdk.UniqueResourceNameOptions{MaxLength: jsii.Number(64)})
	}
	alarmName := *name + "-undelivered"
	topic := awssns.NewTopic(a.Construct, jsii.String("Topic"), &awssns.TopicProps{
		TopicName:   name,
		DisplayName: jsii.String("Pipeline failures"),
		MasterKey:   props.Key,
		EnforceSSL:  jsii.Bool(true),
	})
	dead := awssqs.NewQueue(a.Construct, jsii.String("DeadLetters"), &awssqs.QueueProps{
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(14)),
	})

	rule := newRule(a.Construct, name, props.StateMachine, props.QuietPrefix)
	rule.AddTarget(awseventstargets.NewSnsTopic(topic, &awseventstargets.SnsTopicProps{
		// A role of its own, allowed to publish to this topic only (and to
		// use the key for it): EventBridge itself needs no grant on the key.
		// It has the id CDK would give the role it makes, so an upgrade
		// keeps it.
		Role: awsiam.NewRole(rule, jsii.String("EventsRole"), &awsiam.RoleProps{
			AssumedBy: trust.Service("events.amazonaws.com", arn(a.Construct, "events", "rule", awscdk.ArnFormat_SLASH_RESOURCE_NAME, *name)),
		}),
		RetryAttempts:   jsii.Number(185),
		MaxEventAge:     awscdk.Duration_Hours(jsii.Number(24)),
		DeadLetterQueue: dead,
		Message: awsevents.RuleTargetInput_FromText(jsii.String(fmt.Sprintf(
			"Execution %s of %s ended %s. Redrive it from the failed state, or start a partial run with the flags of the steps to redo.",
			*awsevents.EventField_FromPath(jsii.String("$.detail.name")),
			*awsevents.EventField_FromPath(jsii.String("$.detail.stateMachineArn")),
			*awsevents.EventField_FromPath(jsii.String("$.detail.status")),
		))),
	}))

	if props.Email != "" {
		if addr, err := mail.ParseAddress(props.Email); err != nil || addr.Address != props.Email {
			panic(fmt.Errorf("alert: %s: %q is not a plain e-mail address", *id, props.Email))
		}
		a.Subscription = topic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(props.Email),
			&awssnssubscriptions.EmailSubscriptionProps{DeadLetterQueue: dead}))
	} else {
		awscdk.Annotations_Of(a.Construct).AddWarningV2(jsii.String("alert:no-subscriber"), jsii.String(
			"the failure topic has no subscriber: failed executions notify nobody. Subscribe an address (notificationEmail) or another endpoint to the topic"))
	}
	// Anything in the queue is an alert nobody received. The alarm shows
	// in the CloudWatch console whatever happens to the topic.
	a.Undelivered = awscloudwatch.NewAlarm(a.Construct, jsii.String("Undelivered"), &awscloudwatch.AlarmProps{
		AlarmName:          jsii.String(alarmName),
		AlarmDescription:   jsii.String("Failure alerts that could not be delivered are waiting in the dead-letter queue."),
		Metric:             dead.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{Period: awscdk.Duration_Minutes(jsii.Number(5))}),
		Threshold:          jsii.Number(1),
		EvaluationPeriods:  jsii.Number(1),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
	})
	// The alarm's e-mail reaches whoever a late or partial delivery
	// reached; when the topic itself is what fails, the alarm still shows
	// in the console.
	a.Topic, a.Rule, a.DeadLetters, a.key = topic, rule, dead, props.Key
	a.Notify(a.Undelivered, alarmName)
	return a
}

// Notify makes alarm, named name (fixed: the topic's and the key's
// policies name its ARN, which the alarm itself depends on), publish to the
// topic when it goes into ALARM, and lets CloudWatch publish and use the
// key for that alarm only.
func (a *Alert) Notify(alarm awscloudwatch.Alarm, name string) {
	alarm.AddAlarmAction(awscloudwatchactions.NewSnsAction(a.Topic))
	allowAlarm(a.Topic, a.key, arn(a.Construct, "cloudwatch", "alarm", awscdk.ArnFormat_COLON_RESOURCE_NAME, name))
}

// Watch adds machine's executions that end badly to the rule's, so that
// a helper state machine alerts like the one the alert was made for.
func (a *Alert) Watch(machine sfn.IStateMachine) {
	a.Rule.AddEventPattern(&awsevents.EventPattern{
		Detail: &map[string]any{"stateMachineArn": []any{machine.StateMachineArn()}},
	})
}

// validName is what a topic and a rule both accept (a rule's name may
// also hold dots, a topic's may not).
var validName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// arn is the ARN of the resource of service named name, in scope's stack.
func arn(scope constructs.Construct, service, resource string, format awscdk.ArnFormat, name string) *string {
	return awscdk.Stack_Of(scope).FormatArn(&awscdk.ArnComponents{
		Service: jsii.String(service), Resource: jsii.String(resource), ResourceName: jsii.String(name), ArnFormat: format,
	})
}

// allowAlarm lets CloudWatch publish to topic, encrypted with key, for the
// alarm at alarmArn only. Its resource policy replaces SNS's default one,
// which let any principal of the account publish; without this statement
// the alarm's notifications would be refused.
func allowAlarm(topic awssns.Topic, key awskms.IKey, alarmArn *string) {
	cloudwatch := trust.Service("cloudwatch.amazonaws.com", alarmArn)
	topic.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Principals: &[]awsiam.IPrincipal{cloudwatch},
		Actions:    jsii.Strings("sns:Publish"),
		Resources:  jsii.Strings(*topic.TopicArn()),
	}))
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Principals: &[]awsiam.IPrincipal{cloudwatch},
		Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey*"),
		Resources:  jsii.Strings("*"),
	}), nil)
}

// newRule matches the executions of machine that end badly.
func newRule(scope constructs.Construct, name *string, machine sfn.IStateMachine, quiet string) awsevents.Rule {
	statuses := make([]any, len(Statuses))
	for i, s := range Statuses {
		statuses[i] = s
	}
	detail := map[string]any{
		"status":          statuses,
		"stateMachineArn": []any{machine.StateMachineArn()},
	}
	if quiet != "" {
		detail["name"] = []any{map[string]any{"anything-but": map[string]any{"prefix": quiet}}}
	}
	return awsevents.NewRule(scope, jsii.String("Rule"), &awsevents.RuleProps{
		RuleName:    name,
		Description: jsii.String("Executions that end FAILED, TIMED_OUT or ABORTED."),
		EventPattern: &awsevents.EventPattern{
			Source:     jsii.Strings("aws.states"),
			DetailType: jsii.Strings("Step Functions Execution Status Change"),
			Detail:     &detail,
		},
	})
}
