package schedule_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/constructs/schedule"
	"github.com/partialruns/velib-pipeline/internal/cdktest"
	"github.com/partialruns/velib-pipeline/internal/cfntext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { cdktest.Main(m) }

// daily and ingest are the specs the tests build on.
var (
	ingest = schedule.Spec{Name: "ingest", Expression: "rate(15 minutes)", Input: map[string]any{"refine": false}}
	daily  = schedule.Spec{Name: "daily", Expression: "cron(30 0 * * ? *)", TimeZone: "Europe/Paris",
		Input: map[string]any{"ingest": false, "day_before": schedule.ScheduledTime}}
)

// build defines schedules on a one-state machine, with edit applied to
// valid props, and returns the stack or the failure message.
func build(edit func(p *schedule.Props)) (stack awscdk.Stack, msg string) {
	msg = cdktest.Catch(func() {
		var machine sfn.StateMachine
		stack, machine = cdktest.MachineStack("m")
		p := schedule.Props{StateMachine: machine, Schedules: []schedule.Spec{ingest, daily}, GroupName: jsii.String("team")}
		if edit != nil {
			edit(&p)
		}
		schedule.New(stack, jsii.String("Schedules"), &p)
	})
	return stack, msg
}

func synth(t *testing.T, edit func(p *schedule.Props)) *cdktest.Template {
	t.Helper()
	stack, msg := build(edit)
	require.Empty(t, msg)
	return cdktest.Synth(t, stack)
}

// schedules are the template's schedules by name.
func schedules(tpl *cdktest.Template) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, r := range tpl.Resources("AWS::Scheduler::Schedule") {
		p := r["Properties"].(map[string]any)
		out[p["Name"].(string)] = p
	}
	return out
}

func TestSchedules(t *testing.T) {
	tpl := synth(t, nil)
	tpl.Has(t, "AWS::Scheduler::ScheduleGroup", map[string]any{"Name": "team"})
	got := schedules(tpl)
	require.Len(t, got, 2)
	for name, want := range map[string]struct {
		expression, zone, input string
	}{
		"ingest": {"rate(15 minutes)", "UTC", `{"refine":false}`},
		"daily":  {"cron(30 0 * * ? *)", "Europe/Paris", `{"day_before":"<aws.scheduler.scheduled-time>","ingest":false}`},
	} {
		s := got[name]
		assert.Equal(t, want.expression, s["ScheduleExpression"], name)
		assert.Equal(t, want.zone, s["ScheduleExpressionTimezone"], name)
		assert.Equal(t, "ENABLED", s["State"], name)
		assert.Equal(t, map[string]any{"Mode": "OFF"}, s["FlexibleTimeWindow"], name)
		target := s["Target"].(map[string]any)
		assert.Equal(t, "<Machine>", cfntext.String(target["Arn"]), name)
		assert.Equal(t, "<SchedulesRole.Arn>", strings.Replace(cfntext.String(target["RoleArn"]), ">", ".Arn>", 1), name)
		assert.JSONEq(t, want.input, target["Input"].(string), name)
		assert.Equal(t, map[string]any{"MaximumRetryAttempts": float64(20), "MaximumEventAgeInSeconds": float64(3600)}, target["RetryPolicy"], name)
		assert.Equal(t, "<SchedulesDeadLetters>", cfntext.String(target["DeadLetterConfig"].(map[string]any)["Arn"]), name)
	}
	tpl.Has(t, "AWS::SQS::Queue", map[string]any{"SqsManagedSseEnabled": true})
	tpl.Has(t, "AWS::CloudWatch::Alarm", map[string]any{"MetricName": "ApproximateNumberOfMessagesVisible", "Threshold": 1})
}

// TestSchedulesDependOnTheirGroup: a schedule names its group as a literal,
// so without a DependsOn CloudFormation may create it before the group
// (and delete the group first), and the call fails.
func TestSchedulesDependOnTheirGroup(t *testing.T) {
	for _, name := range []*string{jsii.String("team"), nil} {
		tpl := synth(t, func(p *schedule.Props) { p.GroupName = name })
		groups := tpl.Resources("AWS::Scheduler::ScheduleGroup")
		require.Len(t, groups, 1)
		var group string
		for id := range groups {
			group = id
		}
		for id, r := range tpl.Resources("AWS::Scheduler::Schedule") {
			assert.Contains(t, cdktest.Strings(r["DependsOn"]), group, "%s depends on %v", id, r["DependsOn"])
		}
	}
}

// TestRole: Scheduler may assume the role only for this group's schedules
// in the stack's account, and the role may start this state machine and
// send to the dead-letter queue, nothing else.
func TestRole(t *testing.T) {
	tpl := synth(t, nil)
	roles := tpl.Resources("AWS::IAM::Role")
	var trust map[string]any
	for id, r := range roles {
		if strings.HasPrefix(id, "SchedulesRole") {
			trust = r["Properties"].(map[string]any)["AssumeRolePolicyDocument"].(map[string]any)["Statement"].([]any)[0].(map[string]any)
		}
	}
	require.NotNil(t, trust)
	assert.Equal(t, map[string]any{"Service": "scheduler.amazonaws.com"}, trust["Principal"])
	cond := trust["Condition"].(map[string]any)
	assert.Equal(t, "${AWS::AccountId}", cfntext.String(cond["StringEquals"].(map[string]any)["aws:SourceAccount"]))
	assert.Equal(t, []any{"arn:${AWS::Partition}:scheduler:${AWS::Region}:${AWS::AccountId}:schedule-group/team"},
		func() []any {
			var out []any
			for _, a := range cfntext.List(cond["ArnLike"].(map[string]any)["aws:SourceArn"]) {
				out = append(out, cfntext.String(a))
			}
			return out
		}())

	var grants []string
	for id, policy := range tpl.Statements() {
		if !strings.HasPrefix(id, "SchedulesRole") {
			continue
		}
		for _, st := range policy {
			var res []string
			for _, r := range cfntext.List(st["Resource"]) {
				res = append(res, cfntext.String(r))
			}
			grants = append(grants, fmt.Sprint(st["Action"], " on ", res))
		}
	}
	assert.ElementsMatch(t, []string{"states:StartExecution on [<Machine>]", "sqs:SendMessage on [<SchedulesDeadLetters>]"}, grants)
}

func TestDisabled(t *testing.T) {
	for name, s := range schedules(synth(t, func(p *schedule.Props) { p.Disabled = true })) {
		assert.Equal(t, "DISABLED", s["State"], name)
	}
}

func TestInvalidSpecs(t *testing.T) {
	tests := []struct {
		name string
		spec schedule.Spec
		want string
	}{
		{"name with a space", schedule.Spec{Name: "my schedule", Expression: "rate(1 day)", Input: map[string]any{}}, `schedule name "my schedule" must be`},
		{"name too long", schedule.Spec{Name: strings.Repeat("n", 65), Expression: "rate(1 day)", Input: map[string]any{}}, "must be 1 to 64"},
		{"no expression", schedule.Spec{Name: "s", Input: map[string]any{}}, `schedule "s": expression "" is not`},
		{"rate in weeks", schedule.Spec{Name: "s", Expression: "rate(1 week)", Input: map[string]any{}}, `expression "rate(1 week)" is not`},
		{"cron with five fields", schedule.Spec{Name: "s", Expression: "cron(30 0 * * ?)", Input: map[string]any{}}, `expression "cron(30 0 * * ?)" is not`},
		{"plural rate of 1", schedule.Spec{Name: "s", Expression: "rate(1 minutes)", Input: map[string]any{}}, "a rate of 1 takes a singular unit"},
		{"singular rate of 5", schedule.Spec{Name: "s", Expression: "rate(5 minute)", Input: map[string]any{}}, "a rate of 1 takes a singular unit"},
		{"unknown time zone", schedule.Spec{Name: "s", Expression: "rate(1 day)", TimeZone: "Paris", Input: map[string]any{}}, `time zone "Paris" is not an IANA time zone name`},
		{"no input", schedule.Spec{Name: "s", Expression: "rate(1 day)"}, `schedule "s" has no input`},
		{"quiet with a context attribute", schedule.Spec{Name: "s", Expression: "rate(1 day)", Quiet: true, Input: map[string]any{"t": schedule.ScheduledTime}},
			`schedule "s" is quiet: its input may not hold <aws.scheduler.scheduled-time>`},
		{"quiet with a long name", schedule.Spec{Name: strings.Repeat("n", 40), Expression: "rate(1 day)", Quiet: true, Input: map[string]any{}},
			"must leave room for the invocation's id in an 80-character execution name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, msg := build(func(p *schedule.Props) { p.Schedules = []schedule.Spec{tc.spec} })
			assert.Contains(t, msg, "schedule: Schedules: ")
			assert.Contains(t, msg, tc.want)
		})
	}
	_, msg := build(func(p *schedule.Props) { p.StateMachine = nil })
	assert.Contains(t, msg, "StateMachine is required")
}

// TestCheck: every stored input reaches the check as Scheduler would send
// it, and a problem stops the synth, naming the schedule.
func TestCheck(t *testing.T) {
	var seen []string
	check := func(input any, start time.Time) ([]string, error) {
		b, _ := json.Marshal(input)
		seen = append(seen, string(b))
		if m := input.(map[string]any); m["ingest"] == false {
			if at, err := time.Parse(time.RFC3339, m["day_before"].(string)); err != nil || at.After(start) {
				return []string{"day_before is not a time before the start"}, nil
			}
			return []string{"ingest is off"}, nil
		}
		return nil, nil
	}
	stack, msg := build(func(p *schedule.Props) { p.Check = check })
	require.Empty(t, msg)
	_, err := cdktest.SynthE(stack)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `schedule "daily": its input is invalid: ingest is off`)
	assert.NotContains(t, err.Error(), `schedule "ingest"`)
	require.Len(t, seen, 2)
	assert.NotContains(t, seen[1], "aws.scheduler")
}

// TestStandIn: every context attribute is replaced, in any string.
func TestStandIn(t *testing.T) {
	at := time.Date(2026, 11, 21, 0, 30, 0, 0, time.UTC)
	got, err := schedule.StandIn(map[string]any{
		"t": schedule.ScheduledTime, "n": map[string]any{"s": "run <aws.scheduler.execution-id> try <aws.scheduler.attempt-number>"},
	}, at)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"t": "2026-11-21T00:30:00Z", "n": map[string]any{"s": "run 00000000-0000-0000-0000-000000000000 try 1"}}, got)
}

// TestQuiet: a quiet schedule starts executions named after it and the
// invocation, through StartExecution itself, with the same input; the
// role's one grant is unchanged.
func TestQuiet(t *testing.T) {
	tpl := synth(t, func(p *schedule.Props) {
		q := ingest
		q.Quiet = true
		p.Schedules = []schedule.Spec{q, daily}
	})
	got := schedules(tpl)
	target := got["ingest"]["Target"].(map[string]any)
	assert.Equal(t, "arn:${AWS::Partition}:scheduler:::aws-sdk:sfn:startExecution", cfntext.String(target["Arn"]))
	var params map[string]any
	require.NoError(t, json.Unmarshal([]byte(cfntext.String(target["Input"])), &params))
	assert.Equal(t, schedule.QuietPrefix+"ingest-<aws.scheduler.execution-id>", params["Name"])
	assert.Equal(t, "<Machine>", params["StateMachineArn"])
	assert.JSONEq(t, `{"refine":false}`, params["Input"].(string))
	assert.Equal(t, "<Machine>", cfntext.String(got["daily"]["Target"].(map[string]any)["Arn"]), "a schedule that is not quiet keeps the templated target")

	for id, policy := range tpl.Statements() {
		if strings.HasPrefix(id, "SchedulesRole") {
			for _, st := range policy {
				if st["Action"] == "states:StartExecution" {
					assert.Equal(t, []any{"<Machine>"}, func() []any {
						var out []any
						for _, r := range cfntext.List(st["Resource"]) {
							out = append(out, cfntext.String(r))
						}
						return out
					}())
				}
			}
		}
	}
}
