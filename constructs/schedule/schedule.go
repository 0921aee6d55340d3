// Package schedule starts executions of a state machine on EventBridge
// Scheduler schedules, each with an execution input stored as data: for a
// pipeline built with skippable guards, a flag map.
//
// Every stored input is checked at synth by the rules the state machine
// applies (Props.Check, typically the validation's Problems), so a
// misspelt flag stops the synth, naming the schedule, instead of failing
// an execution every time the schedule fires. Scheduler's context
// attributes, such as <aws.scheduler.scheduled-time>, are filled in with
// the synth's time for the check, as Scheduler fills them in when it fires.
//
// The schedules share a group of their own and one role, which Scheduler
// may assume only for schedules of that group in the stack's account, and
// which may start only this state machine. A start that fails is retried,
// then sent to an encrypted dead-letter queue that an alarm watches; the
// flexible time window is off, so a schedule fires when it says.
package schedule

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	// Time zone names are checked at synth on any machine, with or
	// without the system's time zone database.
	_ "time/tzdata"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsscheduler"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsschedulertargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/internal/trust"
)

// Spec is one schedule.
type Spec struct {
	// Name names the schedule within its group: letters, digits, '.', '-'
	// and '_', at most 64.
	Name string
	// Expression is Scheduler's: "rate(15 minutes)", "cron(30 0 * * ? *)"
	// or "at(2026-12-24T18:00:00)".
	Expression string
	// TimeZone is the IANA name cron and at expressions are read in.
	// Default: UTC.
	TimeZone string
	// Input is the execution input, JSON-shaped (what encoding/json
	// decodes). It may hold Scheduler's context attributes.
	Input map[string]any
	// Quiet names the executions QuietPrefix + Name + "-" + the
	// invocation's id, so that an alert can leave them out (a schedule
	// that runs often, whose outage another alarm reports once); a retry
	// of the same invocation then finds the execution already started.
	// Its input may not hold context attributes.
	Quiet bool
}

// QuietPrefix starts the names of the executions a quiet schedule starts.
const QuietPrefix = "quiet-"

// CheckFunc returns what is wrong with an execution input, for an
// execution started at start; nothing when it is valid.
type CheckFunc func(input any, start time.Time) ([]string, error)

// Props configure [New].
type Props struct {
	// StateMachine is started.
	StateMachine sfn.IStateMachine
	// Schedules, each started with its stored input.
	Schedules []Spec
	// Check is applied to every stored input at synth; a problem fails
	// the synth, naming the schedule. Default: no check.
	Check CheckFunc
	// Disabled deploys the schedules turned off.
	Disabled bool
	// GroupName names the schedule group. Default: a name unique to this
	// construct's path in the app.
	GroupName *string
	// AlarmName names the dead-letter queue's alarm, so that a topic's
	// policy can let CloudWatch publish for it. Default: the group's name
	// and "-undelivered".
	AlarmName *string
}

// Schedules is the group, the role, the dead-letter queue and its alarm,
// and one schedule per Spec, defined inside a construct of their own.
type Schedules struct {
	constructs.Construct
	Group awsscheduler.ScheduleGroup
	Role  awsiam.Role
	// DeadLetters receives the starts that failed after every retry, and
	// Undelivered is the alarm on it, and UndeliveredName its name.
	DeadLetters     awssqs.Queue
	Undelivered     awscloudwatch.Alarm
	UndeliveredName string
	// Schedules are by Spec name.
	Schedules map[string]awsscheduler.Schedule
}

// ScheduledTime is the context attribute Scheduler replaces, in a target's
// input, with the time the schedule fired (2026-11-21T00:30:00Z), however
// late a retry delivers it.
const ScheduledTime = "<aws.scheduler.scheduled-time>"

// contextAttributes are the attributes Scheduler replaces in a target's
// input, with the values the synth check puts in their place.
var contextAttributes = []struct {
	name    string
	standIn func(time.Time) string
}{
	{ScheduledTime, func(at time.Time) string { return at.UTC().Format(time.RFC3339) }},
	{"<aws.scheduler.schedule-arn>", func(time.Time) string { return "arn:aws:scheduler:us-east-1:123456789012:schedule/group/name" }},
	{"<aws.scheduler.execution-id>", func(time.Time) string { return "00000000-0000-0000-0000-000000000000" }},
	{"<aws.scheduler.attempt-number>", func(time.Time) string { return "1" }},
}

var (
	validName       = regexp.MustCompile(`^[0-9A-Za-z._-]{1,64}$`)
	validExpression = regexp.MustCompile(`^(rate\([1-9][0-9]* (minute|minutes|hour|hours|day|days)\)|cron\(\S+( \S+){5}\)|at\([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\))$`)
)

// New defines the schedules. It panics on a missing state machine or an
// invalid Spec, naming it.
func New(scope constructs.Construct, id *string, props *Props) *Schedules {
	if props.StateMachine == nil {
		panic(fmt.Errorf("schedule: %s: StateMachine is required", *id))
	}
	for _, s := range props.Schedules {
		if err := s.check(); err != nil {
			panic(fmt.Errorf("schedule: %s: %w", *id, err))
		}
	}
	s := &Schedules{Construct: constructs.NewConstruct(scope, id), Schedules: map[string]awsscheduler.Schedule{}}
	groupName := props.GroupName
	if groupName == nil {
		groupName = awscdk.Names_UniqueResourceName(s.Construct, &awscdk.UniqueResourceNameOptions{MaxLength: jsii.Number(64)})
	}
	s.Group = awsscheduler.NewScheduleGroup(s.Construct, jsii.String("Group"), &awsscheduler.ScheduleGroupProps{
		ScheduleGroupName: groupName,
	})
	group := awscdk.Stack_Of(s.Construct).FormatArn(&awscdk.ArnComponents{
		Service: jsii.String("scheduler"), Resource: jsii.String("schedule-group"),
		ResourceName: groupName, ArnFormat: awscdk.ArnFormat_SLASH_RESOURCE_NAME,
	})
	s.Role = awsiam.NewRole(s.Construct, jsii.String("Role"), &awsiam.RoleProps{
		Description: jsii.String("Starts the state machine for the schedules of one group."),
		AssumedBy:   trust.Service("scheduler.amazonaws.com", group),
	})
	s.DeadLetters = awssqs.NewQueue(s.Construct, jsii.String("DeadLetters"), &awssqs.QueueProps{
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(14)),
	})
	s.UndeliveredName = *groupName + "-undelivered"
	if props.AlarmName != nil {
		s.UndeliveredName = *props.AlarmName
	}
	s.Undelivered = awscloudwatch.NewAlarm(s.Construct, jsii.String("Undelivered"), &awscloudwatch.AlarmProps{
		AlarmName:          jsii.String(s.UndeliveredName),
		AlarmDescription:   jsii.String("Scheduled executions that could not be started are waiting in the dead-letter queue."),
		Metric:             s.DeadLetters.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{Period: awscdk.Duration_Minutes(jsii.Number(5))}),
		Threshold:          jsii.Number(1),
		EvaluationPeriods:  jsii.Number(1),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
	})

	for _, spec := range props.Schedules {
		tz := spec.TimeZone
		if tz == "" {
			tz = "UTC"
		}
		sched := awsscheduler.NewSchedule(s.Construct, jsii.String(spec.Name), &awsscheduler.ScheduleProps{
			ScheduleName:  jsii.String(spec.Name),
			ScheduleGroup: s.Group,
			Description:   jsii.String("Starts the state machine with the input stored for " + spec.Name + "."),
			Schedule:      awsscheduler.ScheduleExpression_Expression(jsii.String(spec.Expression), awscdk.TimeZone_Of(jsii.String(tz))),
			TimeWindow:    awsscheduler.TimeWindow_Off(),
			Enabled:       jsii.Bool(!props.Disabled),
			Target:        s.target(props.StateMachine, spec),
		})
		// The schedule names its group as text, not a reference, so
		// CloudFormation would not otherwise order the two.
		sched.Node().AddDependency(s.Group)
		s.Schedules[spec.Name] = sched
	}
	if props.Check != nil {
		s.Node().AddValidation(&inputCheck{props.Schedules, props.Check})
	}
	return s
}

// Starting an execution is quick: a start that still fails after an hour
// of retries is for a person to look at.
const (
	retries     = 20
	maxEventAge = 1 // hour
)

// target starts machine with spec's input: Scheduler's templated target,
// or for a quiet schedule StartExecution itself, which takes a name.
func (s *Schedules) target(machine sfn.IStateMachine, spec Spec) awsscheduler.IScheduleTarget {
	if !spec.Quiet {
		return awsschedulertargets.NewStepFunctionsStartExecution(machine, &awsschedulertargets.ScheduleTargetBaseProps{
			Input:           awsscheduler.ScheduleTargetInput_FromObject(spec.Input),
			Role:            s.Role,
			RetryAttempts:   jsii.Number(retries),
			MaxEventAge:     awscdk.Duration_Hours(jsii.Number(maxEventAge)),
			DeadLetterQueue: s.DeadLetters,
		})
	}
	input, err := inputJSON(spec.Input)
	if err != nil {
		panic(err) // checked in New
	}
	return awsschedulertargets.NewUniversal(&awsschedulertargets.UniversalTargetProps{
		Service: jsii.String("sfn"),
		Action:  jsii.String("startExecution"),
		Input: awsscheduler.ScheduleTargetInput_FromObject(map[string]any{
			"StateMachineArn": machine.StateMachineArn(),
			"Name":            QuietPrefix + spec.Name + "-<aws.scheduler.execution-id>",
			"Input":           input,
		}),
		PolicyStatements: &[]awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings("states:StartExecution"),
			Resources: &[]*string{machine.StateMachineArn()},
		})},
		Role:            s.Role,
		RetryAttempts:   jsii.Number(retries),
		MaxEventAge:     awscdk.Duration_Hours(jsii.Number(maxEventAge)),
		DeadLetterQueue: s.DeadLetters,
	})
}

// check reports what is wrong with a Spec, naming it.
func (s Spec) check() error {
	switch {
	case !validName.MatchString(s.Name):
		return fmt.Errorf("schedule name %q must be 1 to 64 letters, digits, '.', '-' or '_'", s.Name)
	case !validExpression.MatchString(s.Expression):
		return fmt.Errorf("schedule %q: expression %q is not rate(N minutes|hours|days), cron(six fields) or at(yyyy-mm-ddThh:mm:ss)", s.Name, s.Expression)
	case strings.HasPrefix(s.Expression, "rate(1 ") != (strings.HasSuffix(s.Expression, "minute)") || strings.HasSuffix(s.Expression, "hour)") || strings.HasSuffix(s.Expression, "day)")):
		return fmt.Errorf("schedule %q: expression %q: a rate of 1 takes a singular unit, any other rate a plural one", s.Name, s.Expression)
	case s.Input == nil:
		return fmt.Errorf("schedule %q has no input: give at least {} (every task runs)", s.Name)
	case s.Quiet && len(QuietPrefix+s.Name+"-")+36 > 80:
		return fmt.Errorf("schedule %q is quiet: its name must leave room for the invocation's id in an 80-character execution name", s.Name)
	}
	if s.TimeZone != "" {
		if _, err := time.LoadLocation(s.TimeZone); err != nil || s.TimeZone == "Local" {
			return fmt.Errorf("schedule %q: time zone %q is not an IANA time zone name", s.Name, s.TimeZone)
		}
	}
	text, err := inputJSON(s.Input)
	if err != nil {
		return fmt.Errorf("schedule %q: input is not JSON: %w", s.Name, err)
	}
	for _, a := range contextAttributes {
		if s.Quiet && strings.Contains(text, a.name) {
			return fmt.Errorf("schedule %q is quiet: its input may not hold %s (Scheduler fills context attributes in only where it reads them)", s.Name, a.name)
		}
	}
	return nil
}

// inputJSON is input as JSON text, with < and > as written (encoding/json
// would escape them, and the context attributes hold both).
func inputJSON(input map[string]any) (string, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(input); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

// inputCheck fails the synth on a stored input the state machine would
// refuse.
type inputCheck struct {
	specs []Spec
	check CheckFunc
}

func (c *inputCheck) Validate() *[]*string {
	now := time.Now().UTC().Truncate(time.Second)
	var problems []*string
	for _, s := range c.specs {
		found, err := c.problems(s, now)
		if err != nil {
			found = []string{err.Error()}
		}
		for _, p := range found {
			problems = append(problems, jsii.String(fmt.Sprintf("schedule %q: %s", s.Name, p)))
		}
	}
	return &problems
}

// problems is what the check finds in s's input as Scheduler would send it
// at now.
func (c *inputCheck) problems(s Spec, now time.Time) ([]string, error) {
	input, err := StandIn(s.Input, now)
	if err != nil {
		return nil, err
	}
	found, err := c.check(input, now)
	for i, p := range found {
		found[i] = "its input is invalid: " + p
	}
	return found, err
}

// StandIn is input as Scheduler would send it when firing at at: every
// context attribute replaced by a value of its kind, at for the scheduled
// time.
func StandIn(input map[string]any, at time.Time) (any, error) {
	text, err := inputJSON(input)
	if err != nil {
		return nil, err
	}
	for _, a := range contextAttributes {
		text = strings.ReplaceAll(text, a.name, a.standIn(at))
	}
	var out any
	return out, json.Unmarshal([]byte(text), &out)
}
