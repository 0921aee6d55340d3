package skippable

import (
	"strconv"

	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/jsii-runtime-go"
)

// Input keys with a fixed meaning besides the flags.
const (
	// CommentKey is ignored: the Step Functions console pre-fills
	// {"Comment": "Insert your JSON here"}.
	CommentKey = "Comment"
	// DateKey optionally names the date partition ("YYYY-MM-DD") that the
	// tasks process. The validation state fills in the execution's start
	// date, UTC, when it is absent, so later states can always read it.
	DateKey = "process_date"
	// RunsKey is where outcomes are recorded, one entry per flag.
	RunsKey = "runs"
)

// Statuses written under RunsKey.
const (
	// StatusPending marks a task that the input asks to run; a guarded task
	// replaces it with its own record when it finishes.
	StatusPending = "pending"
	// StatusRan is the status a guarded task should write when it finishes.
	StatusRan = "ran"
	// StatusSkipped marks a task switched off by its flag.
	StatusSkipped = "skipped"
)

// ErrorInvalidInput is the error name of a failed validation.
const ErrorInvalidInput = "InvalidInput"

// RunPath is the JSONPath at which the task guarded by flag records its
// outcome. Use it as the task's ResultPath so that the task's result never
// overwrites the flags read by the guards after it.
func RunPath(flag string) string {
	return "$." + RunsKey + "." + flag
}

// RunsSelector returns a Parallel state's ResultSelector that folds the
// outcome records of its branches back into one map, to be stored with
// ResultPath "$.runs". branches lists, per branch in order, the flags guarded
// inside it; every other flag is taken from the first branch, whose copy of
// the state is as the Parallel received it.
func RunsSelector(flags []string, branches ...[]string) map[string]interface{} {
	owner := make(map[string]int)
	for i, inBranch := range branches {
		for _, f := range inBranch {
			owner[f] = i
		}
	}
	sel := make(map[string]interface{}, len(flags))
	for _, f := range flags {
		sel[f] = sfn.JsonPath_ObjectAt(jsii.String("$[" + strconv.Itoa(owner[f]) + "]." + RunsKey + "." + f))
	}
	return sel
}
