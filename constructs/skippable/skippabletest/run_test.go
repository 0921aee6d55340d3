package skippabletest_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/partialruns/velib-pipeline/constructs/skippable/skippabletest"
)

var start = time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC)

// guard is a JSONPath guard of flag around body, as the construct renders
// it, continuing to next.
func guard(flag, body, next string) string {
	return `"Run ` + flag + `?": {"Type": "Choice", "Choices": [
		{"Variable": "$$.Execution.Input.` + flag + `", "IsPresent": false, "Next": "` + body + `"},
		{"Variable": "$$.Execution.Input.` + flag + `", "BooleanEquals": true, "Next": "` + body + `"}],
		"Default": "` + next + `"}`
}

// record is the Pass that records flag's outcome.
func record(name, flag, status, next string) string {
	end := `"Next": "` + next + `"`
	if next == "" {
		end = `"End": true`
	}
	return `"` + name + `": {"Type": "Pass", "Result": {"status": "` + status + `"}, "ResultPath": "$.runs.` + flag + `", ` + end + `}`
}

// Hand-written definitions, each with one shape the kit must follow.
var definitions = map[string]string{
	// A task whose result goes under a key of the state: the runs record
	// survives it.
	"task": `{"StartAt": "Run load?", "States": {
		` + guard("load", "Load", "Skip load") + `,
		"Load": {"Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun.sync", "Parameters": {"JobName": "load", "Date.$": "$$.Execution.Input.date"}, "ResultPath": "$.load", "Next": "Ran load"},
		` + record("Ran load", "load", "ran", "") + `,
		` + record("Skip load", "load", "skipped", "") + `}}`,
	// A Choice on the task's result: the kit cannot know which way it goes.
	"branch on a result": `{"StartAt": "Load", "States": {
		"Load": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "ResultPath": "$.load", "Next": "Any rows?"},
		"Any rows?": {"Type": "Choice", "Choices": [{"Variable": "$.load.rows", "NumericGreaterThan": 0, "Next": "Run publish?"}], "Default": "Done"},
		` + guard("publish", "Publish", "Done") + `,
		"Publish": {"Type": "Pass", "End": true},
		"Done": {"Type": "Succeed"}}}`,
	// A Distributed Map's items are child executions: their guards read
	// the flags from the item.
	"distributed map": `{"StartAt": "Each", "States": {
		"Each": {"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": {
			"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
			"StartAt": "Run save?", "States": {
				` + guard("save", "Save", "Skip save") + `,
				"Save": {"Type": "Pass", "Next": "Ran save"},
				` + record("Ran save", "save", "ran", "") + `,
				` + record("Skip save", "save", "skipped", "") + `}},
			"ResultPath": null, "End": true}}}`,
	// A JSONPath rule on a missing key is a runtime error.
	"missing path": `{"StartAt": "Big?", "States": {
		"Big?": {"Type": "Choice", "Choices": [{"Variable": "$.size", "NumericGreaterThan": 10, "Next": "Done"}], "Default": "Done"},
		"Done": {"Type": "Succeed"}}}`,
	// A JSONata machine: a Fail state's cause is an expression.
	"jsonata fail": `{"QueryLanguage": "JSONata", "StartAt": "Stop", "States": {
		"Stop": {"Type": "Fail", "Error": "Stopped", "Cause": "{% 'got ' & $string($states.input.n) %}"}}}`,
}

func TestRun(t *testing.T) {
	tests := []struct {
		definition, input string
		ran, skipped      []string
		runs              map[string]string
		errorName, cause  string
		undecided         string
	}{
		{definition: "task", input: `{}`, ran: []string{"load"}, runs: map[string]string{"load": "ran"},
			errorName: "States.Runtime", cause: "$$.Execution.Input.date"},
		{definition: "task", input: `{"date": "2026-12-01"}`, ran: []string{"load"}, runs: map[string]string{"load": "ran"}},
		{definition: "task", input: `{"load": false}`, skipped: []string{"load"}, runs: map[string]string{"load": "skipped"}},
		{definition: "branch on a result", input: `{}`, undecided: "Any rows?"},
		{definition: "distributed map", input: `{"items": [{"save": false}, {}]}`, ran: []string{"save"}, skipped: []string{"save"}},
		{definition: "distributed map", input: `{"items": [{}], "save": false}`, ran: []string{"save"}},
		{definition: "missing path", input: `{}`, errorName: "States.Runtime", cause: "$.size"},
		{definition: "missing path", input: `{"size": 11}`},
		{definition: "missing path", input: ``, errorName: "States.Runtime", cause: "$.size"},
		{definition: "missing path", input: " \n", errorName: "States.Runtime", cause: "$.size"},
		{definition: "missing path", input: `{"size": 1e400}`},
		{definition: "missing path", input: `{"size": -1e400}`},
		{definition: "jsonata fail", input: `{"n": 3}`, errorName: "Stopped", cause: "got 3"},
	}
	for _, tt := range tests {
		t.Run(tt.definition+" "+tt.input, func(t *testing.T) {
			m, err := skippabletest.Load([]byte(definitions[tt.definition]))
			if err != nil {
				t.Fatal(err)
			}
			got, err := m.Run(tt.input, start)
			var undecided *skippabletest.UndecidedError
			if tt.undecided != "" {
				if !errors.As(err, &undecided) || undecided.State != tt.undecided {
					t.Fatalf("got %+v, %v; want undecided at %q", got, err, tt.undecided)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Error != tt.errorName || !strings.Contains(got.Cause, tt.cause) {
				t.Errorf("failure %q %q, want %q containing %q", got.Error, got.Cause, tt.errorName, tt.cause)
			}
			if tt.errorName != "" {
				return
			}
			if !reflect.DeepEqual(got.Ran, tt.ran) || !reflect.DeepEqual(got.Skipped, tt.skipped) {
				t.Errorf("ran %q skipped %q, want %q and %q", got.Ran, got.Skipped, tt.ran, tt.skipped)
			}
			if tt.runs != nil && !reflect.DeepEqual(got.Runs, tt.runs) {
				t.Errorf("runs %v, want %v", got.Runs, tt.runs)
			}
		})
	}
}

func TestRunRefusesWhatIsNotJSON(t *testing.T) {
	m, err := skippabletest.Load([]byte(definitions["missing path"]))
	if err != nil {
		t.Fatal(err)
	}
	for _, input := range []string{`{`, `{} {}`, `{"a": 1,}`, `"` + strings.Repeat("x", skippabletest.MaxInput) + `"`} {
		if _, err := m.Run(input, start); err == nil || !strings.Contains(err.Error(), "not JSON") && !strings.Contains(err.Error(), "refuses more than") {
			t.Errorf("Run(%.40q): %v, want an error saying it is not JSON, or too long", input, err)
		}
	}
	for _, def := range []string{`[]`, `{}`, `{"StartAt": "A"}`, `not json`} {
		if _, err := skippabletest.Load([]byte(def)); err == nil {
			t.Errorf("Load(%q) accepted it", def)
		}
	}
}

func TestBracketedPaths(t *testing.T) {
	m, err := skippabletest.Load([]byte(`{"StartAt": "Set", "States": {
		"Set": {"Type": "Pass", "Result": 1, "ResultPath": "$['a'][\"b c\"]", "Next": "Read"},
		"Read": {"Type": "Pass", "InputPath": "$[\"a\"]", "End": true}}}`))
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.Run(`{}`, start)
	if err != nil || !reflect.DeepEqual(got.Output, map[string]any{"b c": 1.0}) {
		t.Errorf("got %v, %v", got.Output, err)
	}
}
