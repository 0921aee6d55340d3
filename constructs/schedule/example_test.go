package schedule_test

import (
	"fmt"
	"sort"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/constructs/schedule"
)

// Fetch every 15 minutes, and refine the previous day at 00:30 UTC, with
// the scheduled time in the input, so a late retry still refines the day
// it was meant for.
func Example() {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Pipeline"), nil)
	machine := sfn.NewStateMachine(stack, jsii.String("Machine"), &sfn.StateMachineProps{
		DefinitionBody: sfn.DefinitionBody_FromChainable(sfn.NewPass(stack, jsii.String("Work"), nil)),
	})
	schedule.New(stack, jsii.String("Schedules"), &schedule.Props{
		StateMachine: machine,
		Schedules: []schedule.Spec{
			{Name: "ingest", Expression: "rate(15 minutes)", Input: map[string]any{"refine": false}},
			{Name: "daily", Expression: "cron(30 0 * * ? *)", Input: map[string]any{"ingest": false, "day_before": schedule.ScheduledTime}},
		},
	})
	var lines []string
	for _, r := range *assertions.Template_FromStack(stack, nil).FindResources(jsii.String("AWS::Scheduler::Schedule"), nil) {
		p := (*r)["Properties"].(map[string]any)
		lines = append(lines, fmt.Sprint(p["Name"], " ", p["ScheduleExpression"], " ", p["Target"].(map[string]any)["Input"]))
	}
	sort.Strings(lines)
	for _, l := range lines {
		fmt.Println(l)
	}
	// Output:
	// daily cron(30 0 * * ? *) {"day_before":"<aws.scheduler.scheduled-time>","ingest":false}
	// ingest rate(15 minutes) {"refine":false}
}
