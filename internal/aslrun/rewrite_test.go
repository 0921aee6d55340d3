package aslrun

import (
	"encoding/json"
	"reflect"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"
)

func TestRewriteNegatedTests(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{
			name: "IsPresent false at the top of a rule",
			in:   `{"Variable": "$.f", "IsPresent": false, "Next": "A", "Comment": "absent"}`,
			want: `{"Not": {"Variable": "$.f", "IsPresent": true}, "Next": "A", "Comment": "absent"}`,
		},
		{
			name: "other Is tests",
			in:   `{"Variable": "$.f", "IsNull": false, "Next": "A"}`,
			want: `{"Not": {"Variable": "$.f", "IsNull": true}, "Next": "A"}`,
		},
		{
			name: "inside And, Or and Not",
			in:   `{"And": [{"Variable": "$.a", "IsString": false}, {"Or": [{"Variable": "$.b", "IsBoolean": false}]}, {"Not": {"Variable": "$.c", "IsNumeric": false}}], "Next": "A"}`,
			want: `{"And": [{"Not": {"Variable": "$.a", "IsString": true}}, {"Or": [{"Not": {"Variable": "$.b", "IsBoolean": true}}]}, {"Not": {"Not": {"Variable": "$.c", "IsNumeric": true}}}], "Next": "A"}`,
		},
		{
			name: "true tests and comparisons are left alone",
			in:   `{"Variable": "$.f", "IsPresent": true, "Next": "A"}`,
			want: `{"Variable": "$.f", "IsPresent": true, "Next": "A"}`,
		},
		{
			name: "BooleanEquals false is a comparison, not a test",
			in:   `{"Variable": "$.f", "BooleanEquals": false, "Next": "A"}`,
			want: `{"Variable": "$.f", "BooleanEquals": false, "Next": "A"}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// The rule sits in a Parallel branch to check the walk too.
			def := `{"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
				{"StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": [` + tc.in + `], "Default": "A"}, "A": {"Type": "Succeed"}}}]}}}`
			got := rewritten(t, def)
			rule := got["States"].(map[string]any)["P"].(map[string]any)["Branches"].([]any)[0].(map[string]any)["States"].(map[string]any)["C"].(map[string]any)["Choices"].([]any)[0]
			var want any
			if err := json.Unmarshal([]byte(tc.want), &want); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(rule, want) {
				t.Errorf("got  %v\nwant %v", rule, want)
			}
		})
	}
}

// TestRewriteTimeouts checks the timeout each Task state and the machine
// get: a Task without one gets the machine's (as on AWS, where its own
// default of 99,999,999 s leaves the execution's timeout to end it), and
// nothing exceeds what a Node timer holds.
func TestRewriteTimeouts(t *testing.T) {
	// A task at the top, one in a Parallel branch and one in a Map
	// iteration, each written as the case says.
	machine := func(top, task string) string {
		return `{"StartAt": "T", ` + top + ` "States": {
			"T": {"Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun.sync", ` + task + ` "Next": "P"},
			"P": {"Type": "Parallel", "Next": "M", "Branches": [{"StartAt": "B", "States": {
				"B": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", ` + task + ` "End": true}}}]},
			"M": {"Type": "Map", "End": true, "ItemProcessor": {"StartAt": "I", "States": {
				"I": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", ` + task + ` "End": true}}}}}}`
	}
	tests := []struct {
		name, top, task string
		// machineTimeout is the machine's TimeoutSeconds after the
		// rewrite (nil: none); want is field of each task after it.
		machineTimeout any
		field          string
		want           any
	}{
		{"no timeout anywhere: a Standard execution's year, capped for Node", ``, ``, nil, "TimeoutSeconds", float64(2147483)},
		{"the machine's timeout", `"TimeoutSeconds": 32880,`, ``, float64(32880), "TimeoutSeconds", float64(32880)},
		{"a machine's timeout too long for Node is capped", `"TimeoutSeconds": 99999999,`, ``, float64(2147483), "TimeoutSeconds", float64(2147483)},
		{"a state's own timeout is kept", `"TimeoutSeconds": 32880,`, `"TimeoutSeconds": 7,`, float64(32880), "TimeoutSeconds", float64(7)},
		{"a state's own timeout too long for Node is capped", ``, `"TimeoutSeconds": 99999999,`, nil, "TimeoutSeconds", float64(2147483)},
		{"a timeout from the input is kept", `"TimeoutSeconds": 32880,`, `"TimeoutSecondsPath": "$.t",`, float64(32880), "TimeoutSecondsPath", "$.t"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			def := rewritten(t, machine(tc.top, tc.task))
			if got := def["TimeoutSeconds"]; got != tc.machineTimeout {
				t.Errorf("machine: TimeoutSeconds %v, want %v", got, tc.machineTimeout)
			}
			states := def["States"].(map[string]any)
			tasks := map[string]map[string]any{
				"T": states["T"].(map[string]any),
				"B": states["P"].(map[string]any)["Branches"].([]any)[0].(map[string]any)["States"].(map[string]any)["B"].(map[string]any),
				"I": states["M"].(map[string]any)["ItemProcessor"].(map[string]any)["States"].(map[string]any)["I"].(map[string]any),
			}
			for name, task := range tasks {
				if got := task[tc.field]; got != tc.want {
					t.Errorf("task %s: %s %v, want %v", name, tc.field, got, tc.want)
				}
				if tc.field == "TimeoutSecondsPath" && task["TimeoutSeconds"] != nil {
					t.Errorf("task %s: TimeoutSeconds %v added beside TimeoutSecondsPath", name, task["TimeoutSeconds"])
				}
			}
			for _, name := range []string{"P", "M"} {
				if got := states[name].(map[string]any)["TimeoutSeconds"]; got != nil {
					t.Errorf("%s: TimeoutSeconds %v on a state that is not a Task", name, got)
				}
			}
		})
	}
}

func TestRewriteRejectsBadJSON(t *testing.T) {
	if _, err := Rewrite([]byte("{")); err == nil {
		t.Error("no error for invalid JSON")
	}
}

// TestTimersOnTheInterpreter runs tasks that take real time on
// aws-local-stepfunctions itself: a state's own short timeout still ends
// its task, one without a timeout waits for its task, and timeouts longer
// than a Node timer holds (which fire after 1 ms unless capped) do not end
// anything early.
func TestTimersOnTheInterpreter(t *testing.T) {
	tests := []struct {
		name, top, short, plain string
		took                    time.Duration
		status                  string
		entered                 []string
	}{
		{"a 2 s timeout ends a 3 s task; no timeout waits for it",
			`"TimeoutSeconds": 600,`, `"TimeoutSeconds": 2,`, ``, 3 * time.Second,
			"SUCCEEDED", []string{"Short", "Timed out", "Plain"}},
		{"a machine timeout of 99,999,999 s does not end the execution at once",
			`"TimeoutSeconds": 99999999,`, `"TimeoutSeconds": 60,`, ``, 100 * time.Millisecond,
			"SUCCEEDED", []string{"Short", "Plain"}},
		{"a state timeout of 99,999,999 s does not end the task at once",
			``, `"TimeoutSeconds": 99999999,`, `"TimeoutSeconds": 99999999,`, 100 * time.Millisecond,
			"SUCCEEDED", []string{"Short", "Plain"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// Two branches run the same task at once; Short's timeout is
			// caught, so the execution tells which ran to the end.
			def := `{"StartAt": "P", ` + tc.top + ` "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
				{"StartAt": "Short", "States": {
					"Short": {"Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun.sync", ` + tc.short + ` "End": true,
						"Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "Timed out"}]},
					"Timed out": {"Type": "Pass", "End": true}}},
				{"StartAt": "Plain", "States": {
					"Plain": {"Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun.sync", ` + tc.plain + ` "End": true}}}]}}}`
			work := func(state string, input json.RawMessage) (any, error) {
				time.Sleep(tc.took)
				return map[string]any{"done": state}, nil
			}
			var mu sync.Mutex
			var entered []string
			r, err := RunLive([]byte(def), "", "2026-11-21T23:50:18.000Z", nil, work, func(e Event) {
				mu.Lock()
				defer mu.Unlock()
				if e.State != "P" {
					entered = append(entered, e.State)
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			sort.Strings(entered)
			want := slices.Sorted(slices.Values(tc.entered))
			if r.Status != tc.status || !reflect.DeepEqual(entered, want) {
				t.Errorf("%s (%s: %s), entered %v; want %s, entered %v", r.Status, r.Error, r.Cause, entered, tc.status, want)
			}
		})
	}
}

func rewritten(t *testing.T, def string) map[string]any {
	t.Helper()
	out, err := Rewrite([]byte(def))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	return got
}
