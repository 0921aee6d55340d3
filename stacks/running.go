package stacks

import (
	"fmt"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/constructs/alert"
	"github.com/partialruns/velib-pipeline/constructs/schedule"
	"github.com/partialruns/velib-pipeline/constructs/skippable/skippabletest"
	"github.com/partialruns/velib-pipeline/constructs/skippable/validation"
	ingestfn "github.com/partialruns/velib-pipeline/lambda/loaddata/ingest"
)

// newSchedules makes the pipeline run itself: the configured schedules,
// whose stored inputs validate checks at synth, and, while one of them
// runs the ingest, the alarm on a silence of its log. Both alarms notify
// through failures.
func newSchedules(stack awscdk.Stack, cfg Config, machine sfn.IStateMachine, validate *validation.Validation,
	failures *alert.Alert, ingestLogs awslogs.ILogGroup) {
	if len(cfg.Schedules) > 0 {
		schedules := schedule.New(stack, jsii.String("Schedules"), &schedule.Props{
			StateMachine: machine,
			Schedules:    cfg.Schedules,
			Check: func(input any, start time.Time) ([]string, error) {
				return skippabletest.Problems(validate.ProblemsExpression(), input, start)
			},
			Disabled:  !cfg.SchedulesEnabled,
			GroupName: jsii.String(cfg.NamePrefix + "-pipeline"),
			AlarmName: jsii.String(cfg.NamePrefix + "-pipeline-schedules-undelivered"),
		})
		failures.Notify(schedules.Undelivered, schedules.UndeliveredName)
	}
	if !cfg.ingestScheduled() {
		return
	}
	name := cfg.NamePrefix + "-pipeline-no-snapshots"
	failures.Notify(alert.NewSilence(stack, jsii.String("NoSnapshots"), &alert.SilenceProps{
		LogGroup:    ingestLogs,
		Pattern:     awslogs.FilterPattern_StringValue(jsii.String("$.msg"), jsii.String("="), jsii.String(ingestfn.MsgSnapshotWritten)),
		Namespace:   cfg.NamePrefix + "-pipeline",
		MetricName:  "SnapshotsWritten",
		Window:      awscdk.Duration_Minutes(jsii.Number(float64(cfg.SilenceMinutes))),
		AlarmName:   name,
		Description: fmt.Sprintf("No raw snapshot was written for %d minutes: the feed, the ingest or its schedule is broken.", cfg.SilenceMinutes),
		ActionsOff:  !cfg.SchedulesEnabled,
	}), name)
}
