package aslrun

import (
	"encoding/json"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/partialruns/velib-pipeline/internal/tools"
)

// machine has a JSONata validation first, then a JSONPath guard that uses
// the IsPresent: false rule the interpreter mishandles, then a task with a
// retry.
const machine = `{
  "StartAt": "Check",
  "States": {
    "Check": {"Type": "Choice", "QueryLanguage": "JSONata",
      "Choices": [{"Condition": "{% $type($states.input.n) = 'number' %}", "Next": "Guard",
                   "Output": "{% $merge([$states.input, {'day': $substring($states.context.Execution.StartTime, 0, 10)}]) %}"}],
      "Default": "Bad"},
    "Bad": {"Type": "Fail", "QueryLanguage": "JSONata", "Error": "InvalidInput", "Cause": "{% 'n is ' & $type($states.input.n) %}"},
    "Guard": {"Type": "Choice", "Choices": [
      {"Variable": "$.go", "IsPresent": false, "Next": "Work"},
      {"Variable": "$.go", "BooleanEquals": true, "Next": "Work"}], "Default": "Done"},
    "Work": {"Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun.sync",
      "Parameters": {"Arguments": {"--day.$": "$.day"}}, "ResultPath": "$.work",
      "Retry": [{"ErrorEquals": ["Busy"], "IntervalSeconds": 30, "MaxAttempts": 2}], "Next": "Done"},
    "Done": {"Type": "Succeed"}
  }
}`

func TestRun(t *testing.T) {
	ok := map[string]Mock{"Work": {Output: "done"}}
	cases := []struct {
		name    string
		c       Case
		status  string
		entered []string
		check   func(t *testing.T, r Result)
	}{
		{"flag absent runs the task (the IsPresent: false rule works)", Case{Input: json.RawMessage(`{"n": 1}`), Mocks: ok}, "SUCCEEDED",
			[]string{"Check", "Guard", "Work", "Done"}, func(t *testing.T, r Result) {
				if want := []Call{{State: "Work", Input: map[string]any{"Arguments": map[string]any{"--day": "2026-11-21"}}}}; !reflect.DeepEqual(r.Calls, want) {
					t.Errorf("calls = %v, want %v (the JSONata Output reached the task)", r.Calls, want)
				}
				if r.Transitions != 4 {
					t.Errorf("transitions = %d", r.Transitions)
				}
			}},
		{"flag false skips it", Case{Input: json.RawMessage(`{"n": 1, "go": false}`), Mocks: ok}, "SUCCEEDED",
			[]string{"Check", "Guard", "Done"}, nil},
		{"invalid input fails in the JSONata states", Case{Input: json.RawMessage(`{"n": "x"}`)}, "FAILED",
			[]string{"Check", "Bad"}, func(t *testing.T, r Result) {
				if r.Error != "InvalidInput" || r.Cause != "n is string" || r.FailedState != "Bad" {
					t.Errorf("error %q cause %q state %q", r.Error, r.Cause, r.FailedState)
				}
			}},
		{"a retried error, without waiting 30 s", Case{Input: json.RawMessage(`{"n": 1}`), Mocks: map[string]Mock{"Work": {Failures: []Failure{{Error: "Busy"}}, Output: 1}}}, "SUCCEEDED",
			[]string{"Check", "Guard", "Work", "Done"}, func(t *testing.T, r Result) {
				if !reflect.DeepEqual(r.Retries, []string{"Work"}) || r.Transitions != 5 {
					t.Errorf("retries = %v, transitions = %d", r.Retries, r.Transitions)
				}
			}},
		{"an error not retried fails the execution at the task", Case{Input: json.RawMessage(`{"n": 1}`), Mocks: map[string]Mock{"Work": {Failures: []Failure{{Error: "States.TaskFailed", Cause: "job failed"}}}}}, "FAILED",
			[]string{"Check", "Guard", "Work"}, func(t *testing.T, r Result) {
				if r.Error != "States.TaskFailed" || r.Cause != "job failed" || r.FailedState != "Work" {
					t.Errorf("error %q cause %q state %q", r.Error, r.Cause, r.FailedState)
				}
			}},
		{"an unmocked task fails loudly", Case{Input: json.RawMessage(`{"n": 1}`)}, "FAILED",
			[]string{"Check", "Guard", "Work"}, func(t *testing.T, r Result) {
				if r.Error != "Harness.Unmocked" {
					t.Errorf("error = %q", r.Error)
				}
			}},
	}
	var all []Case
	for _, c := range cases {
		all = append(all, c.c)
	}
	results, err := Run([]byte(machine), "2026-11-21T23:50:18.000Z", all)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := results[i]
			if r.Status != c.status || !reflect.DeepEqual(r.Entered, c.entered) {
				t.Fatalf("status %s entered %v; want %s %v (error %s: %s)", r.Status, r.Entered, c.status, c.entered, r.Error, r.Cause)
			}
			if c.check != nil {
				c.check(t, r)
			}
		})
	}
}

func TestRunLive(t *testing.T) {
	var events, seen []string
	var mu sync.Mutex
	handle := func(state string, input json.RawMessage) (any, error) {
		mu.Lock()
		defer mu.Unlock()
		seen = append([]string(nil), events...)
		var in map[string]any
		if err := json.Unmarshal(input, &in); err != nil {
			return nil, err
		}
		if in["Arguments"].(map[string]any)["--day"] != "2026-11-21" {
			return nil, &TaskError{Name: "States.TaskFailed", Cause: "wrong day"}
		}
		return "worked", nil
	}
	onEvent := func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, e.State)
	}
	r, err := RunLive([]byte(machine), "", "2026-11-21T23:50:18.000Z", json.RawMessage(`{"n": 1}`), handle, onEvent)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != "SUCCEEDED" || !reflect.DeepEqual(events, []string{"Check", "Guard", "Work", "Done"}) {
		t.Errorf("status %s, events %v", r.Status, events)
	}
	// The handler starts after its own state, and those before it, were
	// reported: a log of both reads in order.
	if !reflect.DeepEqual(seen, []string{"Check", "Guard", "Work"}) {
		t.Errorf("the task was handed over after events %v, want [Check Guard Work]", seen)
	}
	if r.Output.(map[string]any)["work"] != "worked" {
		t.Errorf("output = %v", r.Output)
	}

	failing := func(string, json.RawMessage) (any, error) {
		return nil, &TaskError{Name: "States.TaskFailed", Cause: "job failed"}
	}
	r, err = RunLive([]byte(machine), "", "2026-11-21T23:50:18.000Z", json.RawMessage(`{"n": 1}`), failing, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != "FAILED" || r.Error != "States.TaskFailed" || r.Cause != "job failed" || r.FailedState != "Work" {
		t.Errorf("got %+v", r)
	}
}

// TestRunLiveLargeInput runs an input near Step Functions' 256 KiB limit:
// every state entered reports it, so the runner writes megabytes to its
// pipe and must not exit before they are read.
func TestRunLiveLargeInput(t *testing.T) {
	big, _ := json.Marshal(map[string]any{"n": 1, "note": strings.Repeat("x", 250_000)})
	handle := func(string, json.RawMessage) (any, error) { return "worked", nil }
	entered := 0
	r, err := RunLive([]byte(machine), "", "2026-11-21T23:50:18.000Z", big, handle, func(Event) { entered++ })
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != "SUCCEEDED" || entered != 4 {
		t.Errorf("status %s after %d states", r.Status, entered)
	}
	if note, _ := r.Output.(map[string]any)["note"].(string); len(note) != 250_000 {
		t.Errorf("the output's note has %d characters, want 250000", len(note))
	}
}

// TestMotoTrace reads canned moto histories, for races a live run shows
// only now and then.
func TestMotoTrace(t *testing.T) {
	entered := func(id, prev int, kind, name string) map[string]any {
		return map[string]any{"id": id, "previousEventId": prev, "type": kind + "StateEntered", "stateEnteredEventDetails": map[string]any{"name": name}}
	}
	exited := func(id, prev int, kind, name string) map[string]any {
		return map[string]any{"id": id, "previousEventId": prev, "type": kind + "StateExited", "stateExitedEventDetails": map[string]any{"name": name}}
	}
	event := func(id, prev int, kind string) map[string]any {
		return map[string]any{"id": id, "previousEventId": prev, "type": kind, "taskScheduledEventDetails": map[string]any{"parameters": "{}"}}
	}
	tests := []struct {
		name    string
		history []map[string]any
		failed  string
	}{
		{"one branch fails while the other's task is still running", []map[string]any{
			entered(1, 0, "Parallel", "P"),
			entered(2, 1, "Choice", "GA"), exited(3, 2, "Choice", "GA"),
			entered(4, 3, "Task", "A"), event(5, 4, "TaskScheduled"),
			entered(6, 1, "Choice", "GB"), exited(7, 6, "Choice", "GB"),
			entered(8, 7, "Task", "B"), event(9, 8, "TaskScheduled"), event(10, 9, "TaskFailed"),
			event(11, 10, "ExecutionFailed"),
		}, "B"},
		{"a Fail state", []map[string]any{
			entered(1, 0, "Choice", "Check"), exited(2, 1, "Choice", "Check"),
			entered(3, 2, "Fail", "Bad"), event(4, 3, "ExecutionFailed"),
		}, "Bad"},
		{"a task retried, then caught", []map[string]any{
			entered(1, 0, "Task", "Work"), event(2, 1, "TaskScheduled"), event(3, 2, "TaskFailed"),
			event(4, 3, "TaskScheduled"), event(5, 4, "TaskFailed"), exited(6, 5, "Task", "Work"),
			entered(7, 6, "Fail", "Gave up"), event(8, 7, "ExecutionFailed"),
		}, "Gave up"},
	}
	histories := make([]any, len(tests))
	for i, tc := range tests {
		histories[i] = tc.history
	}
	cmd, err := tools.Python("-c", motoRunner)
	if err != nil {
		t.Fatal(err)
	}
	var traces []Result
	if err := tools.Exchange(cmd, map[string]any{"histories": histories}, &traces); err != nil {
		t.Fatal(err)
	}
	for i, tc := range tests {
		if got := traces[i].FailedState; got != tc.failed {
			t.Errorf("%s: failed state %q, want %q", tc.name, got, tc.failed)
		}
	}
}

// mapMachine loads two items concurrently, keeps going past one that
// fails, and sorts the results by outcome in a JSONata Pass (aws-local-
// stepfunctions runs it through run.js): JSONPath wildcards that match
// nothing fail on both interpreters.
const mapMachine = `{
  "StartAt": "Each",
  "States": {
    "Each": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2,
      "ItemSelector": {"system.$": "$$.Map.Item.Value"},
      "ItemProcessor": {"StartAt": "Load", "States": {
        "Load": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
          "Parameters": {"FunctionName": "f", "Payload.$": "$"}, "ResultPath": "$.out",
          "Retry": [{"ErrorEquals": ["Busy"], "MaxAttempts": 1}],
          "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Failed"}], "Next": "Loaded"},
        "Loaded": {"Type": "Pass", "Parameters": {"ok.$": "States.Array($.system)", "bad": []}, "End": true},
        "Failed": {"Type": "Pass", "Parameters": {"ok": [], "bad.$": "States.Array($.system)"}, "End": true}}},
      "ResultPath": "$.results", "Next": "Sort"},
    "Sort": {"Type": "Pass", "QueryLanguage": "JSONata",
      "Output": {"ok": "{% [$states.input.results.ok] %}", "bad": "{% [$states.input.results.bad] %}"}, "End": true}
  }
}`

func TestMockByInput(t *testing.T) {
	load := func(b Mock) map[string]Mock {
		return map[string]Mock{"Load": {ByInput: &ByInput{Field: "Payload.system", Mocks: map[string]Mock{
			"a": {Output: "a done"}, "b": b}}}}
	}
	cases := []struct {
		name    string
		c       Case
		want    map[string]any
		retries int
	}{
		{"both succeed, b after a retry", Case{Input: json.RawMessage(`{"items": ["a", "b"]}`), Mocks: load(Mock{Failures: []Failure{{Error: "Busy"}}, Output: "b done"})},
			map[string]any{"ok": []any{"a", "b"}, "bad": []any{}}, 1},
		{"b fails, a does not", Case{Input: json.RawMessage(`{"items": ["a", "b"]}`), Mocks: load(Mock{Failures: []Failure{{Error: "Feed.Down"}}})},
			map[string]any{"ok": []any{"a"}, "bad": []any{"b"}}, 0},
		{"an item with no mock", Case{Input: json.RawMessage(`{"items": ["a", "c"]}`), Mocks: load(Mock{})},
			map[string]any{"ok": []any{"a"}, "bad": []any{"c"}}, 0},
	}
	all := make([]Case, len(cases))
	for i, tc := range cases {
		all[i] = tc.c
	}
	for _, in := range Interpreters {
		t.Run(in.Name, func(t *testing.T) {
			results, err := in.Run([]byte(mapMachine), "2026-11-21T10:00:00.000Z", all)
			if err != nil {
				t.Fatal(err)
			}
			for i, tc := range cases {
				r := results[i]
				if r.Status != "SUCCEEDED" || !reflect.DeepEqual(r.Output, tc.want) {
					t.Errorf("%s: %s %s %s, output %v; want %v", tc.name, r.Status, r.Error, r.Cause, r.Output, tc.want)
				}
				if len(r.Retries) != tc.retries {
					t.Errorf("%s: retries %v, want %d", tc.name, r.Retries, tc.retries)
				}
			}
		})
	}
}
