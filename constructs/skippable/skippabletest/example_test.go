package skippabletest_test

import (
	"fmt"
	"time"

	"github.com/partialruns/velib-pipeline/constructs/skippable/skippabletest"
)

// A definition as synthesized (here written by hand: one guard, JSONPath),
// and what two executions would do with it.
func Example() {
	definition := `{"StartAt": "Run load?", "States": {
		"Run load?": {"Type": "Choice", "Default": "Skip load", "Choices": [
			{"Variable": "$$.Execution.Input.load", "IsPresent": false, "Next": "Load"},
			{"Variable": "$$.Execution.Input.load", "BooleanEquals": true, "Next": "Load"}]},
		"Load": {"Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun.sync", "ResultPath": "$.load", "Next": "Ran load"},
		"Ran load": {"Type": "Pass", "Result": {"status": "ran"}, "ResultPath": "$.runs.load", "End": true},
		"Skip load": {"Type": "Pass", "Result": {"status": "skipped"}, "ResultPath": "$.runs.load", "End": true}}}`
	m, err := skippabletest.Load([]byte(definition))
	if err != nil {
		panic(err)
	}
	for _, input := range []string{`{}`, `{"load": false}`} {
		r, err := m.Run(input, time.Now())
		fmt.Println(input, "ran:", r.Ran, "skipped:", r.Skipped, "runs:", r.Runs, err)
	}
	// Output:
	// {} ran: [load] skipped: [] runs: map[load:ran] <nil>
	// {"load": false} ran: [] skipped: [load] runs: map[load:skipped] <nil>
}
