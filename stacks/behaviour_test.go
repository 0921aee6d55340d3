package stacks_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/partialruns/velib-pipeline/internal/aslrun"
	"github.com/partialruns/velib-pipeline/internal/flaginputs"
	"github.com/partialruns/velib-pipeline/internal/tools"
)

// The behaviour tests run the synthesized definition itself, flattened to
// plain ASL, with every task mocked, on two interpreters that must agree:
// aws-local-stepfunctions with jsonata-js for the validation state, and
// moto's interpreter with jsonata-python (see package aslrun).

const startTime = flaginputs.StartTime

// onEach runs cases on every interpreter and hands each one's results to
// check, in a subtest named after the interpreter.
func onEach(t *testing.T, cases []aslrun.Case, check func(t *testing.T, results []aslrun.Result)) {
	def := flatDefinition(t)
	for _, in := range aslrun.Interpreters {
		t.Run(in.Name, func(t *testing.T) {
			results, err := in.Run(def, startTime, cases)
			if err != nil {
				t.Fatal(err)
			}
			check(t, results)
		})
	}
}

var taskOf = map[string]string{
	"lambda_load_data":                   "Load data",
	"velib_raw_to_silver":                "Raw to silver",
	"velib_silver_to_gold_avg_stats":     "Gold avg stats",
	"velib_silver_to_gold_avail_percent": "Gold avail percent",
}

// succeeding mocks every task with the output its service integration
// returns on success.
func succeeding() map[string]aslrun.Mock {
	glue := aslrun.Mock{Output: map[string]any{"Id": "jr_1", "JobRunState": "SUCCEEDED", "JobName": "job"}}
	return map[string]aslrun.Mock{
		"Load data":          {Output: map[string]any{"StatusCode": 200, "Payload": map[string]any{"objects_written": 1, "stations": 1500, "date": flaginputs.Today}}},
		"Raw to silver":      glue,
		"Gold avg stats":     glue,
		"Gold avail percent": glue,
	}
}

func flatDefinition(t testing.TB) []byte {
	t.Helper()
	b, err := json.Marshal(definition(t, synth(t, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ran lists the tasks a result invoked, sorted.
func ran(r aslrun.Result) []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range r.Calls {
		if !seen[c.State] {
			seen[c.State] = true
			out = append(out, c.State)
		}
	}
	sort.Strings(out)
	return out
}

func tasksExcept(skipped ...string) []string {
	var out []string
	for flag, task := range taskOf {
		if !slices.Contains(skipped, flag) {
			out = append(out, task)
		}
	}
	sort.Strings(out)
	return out
}

func TestPartialRuns(t *testing.T) {
	tests := []struct {
		name    string
		input   string // "" means no input at all
		skipped []string
		date    string // the process_date the Glue jobs must receive
		// cause, for an invalid input, lists what the InvalidInput cause must say.
		cause []string
	}{
		{name: "no input", input: "", date: "2026-11-21"},
		{name: "empty object", input: `{}`, date: "2026-11-21"},
		{name: "console default", input: `{"Comment": "Insert your JSON here"}`, date: "2026-11-21"},
		{name: "all true", input: `{"lambda_load_data": true, "velib_raw_to_silver": true, "velib_silver_to_gold_avg_stats": true, "velib_silver_to_gold_avail_percent": true}`, date: "2026-11-21"},
		{name: "skip ingest", input: `{"lambda_load_data": false}`, skipped: []string{"lambda_load_data"}, date: "2026-11-21"},
		{name: "skip silver", input: `{"velib_raw_to_silver": false}`, skipped: []string{"velib_raw_to_silver"}, date: "2026-11-21"},
		{name: "skip avg stats", input: `{"velib_silver_to_gold_avg_stats": false}`, skipped: []string{"velib_silver_to_gold_avg_stats"}, date: "2026-11-21"},
		{name: "skip avail percent", input: `{"velib_silver_to_gold_avail_percent": false}`, skipped: []string{"velib_silver_to_gold_avail_percent"}, date: "2026-11-21"},
		{name: "gold only (the original project's input)", input: `{"lambda_load_data": false, "velib_raw_to_silver": false, "velib_silver_to_gold_avg_stats": true, "velib_silver_to_gold_avail_percent": true}`,
			skipped: []string{"lambda_load_data", "velib_raw_to_silver"}, date: "2026-11-21"},
		{name: "all false", input: `{"lambda_load_data": false, "velib_raw_to_silver": false, "velib_silver_to_gold_avg_stats": false, "velib_silver_to_gold_avail_percent": false}`,
			skipped: []string{"lambda_load_data", "velib_raw_to_silver", "velib_silver_to_gold_avg_stats", "velib_silver_to_gold_avail_percent"}},
		{name: "valid process_date", input: `{"lambda_load_data": false, "process_date": "2026-10-02"}`, skipped: []string{"lambda_load_data"}, date: "2026-10-02"},
		{name: "impossible process_date", input: `{"lambda_load_data": false, "process_date": "2026-13-01"}`, cause: []string{`process_date "2026-13-01" is not a calendar date`}},
		{name: "process_date with ingest enabled", input: `{"process_date": "2026-11-20"}`, cause: []string{"process_date is given but lambda_load_data is not false"}},
		{name: "process_date with ingest true", input: `{"lambda_load_data": true, "process_date": "2026-11-20"}`, cause: []string{"process_date is given but lambda_load_data is not false"}},
		{name: "unknown key", input: `{"foo": true}`, cause: []string{`unknown key(s) "foo"`, "valid flags are lambda_load_data, velib_raw_to_silver, velib_silver_to_gold_avg_stats, velib_silver_to_gold_avail_percent"}},
		{name: "misspelt flag", input: `{"lambda_laod_data": false}`, cause: []string{`unknown key(s) "lambda_laod_data"`}},
		{name: "string false", input: `{"velib_raw_to_silver": "false"}`, cause: []string{`flag "velib_raw_to_silver" must be true or false, got "false"`}},
		{name: "zero", input: `{"lambda_load_data": 0}`, cause: []string{`flag "lambda_load_data" must be true or false, got a number`}},
		{name: "null", input: `{"velib_silver_to_gold_avg_stats": null}`, cause: []string{`flag "velib_silver_to_gold_avg_stats" must be true or false, got null`}},
		{name: "array as input", input: `[{"lambda_load_data": false}]`, cause: []string{"input must be a JSON object, got an array"}},
		{name: "nested object as a value", input: `{"lambda_load_data": {"enabled": false}}`, cause: []string{`flag "lambda_load_data" must be true or false, got an object`}},
	}
	cases := make([]aslrun.Case, len(tests))
	for i, tc := range tests {
		cases[i] = aslrun.Case{Mocks: succeeding()}
		if tc.input != "" {
			cases[i].Input = json.RawMessage(tc.input)
		}
	}
	onEach(t, cases, func(t *testing.T, results []aslrun.Result) {
		for i, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r := results[i]
				if tc.cause != nil {
					if r.Status != "FAILED" || r.Error != "InvalidInput" || r.FailedState != "Invalid input" {
						t.Fatalf("status %s error %q at %q, want InvalidInput at the first state", r.Status, r.Error, r.FailedState)
					}
					for _, c := range tc.cause {
						if !strings.Contains(r.Cause, c) {
							t.Errorf("cause %q does not say %q", r.Cause, c)
						}
					}
					if len(r.Calls) != 0 {
						t.Errorf("tasks ran before the validation failed: %v", r.Calls)
					}
					return
				}
				if r.Status != "SUCCEEDED" {
					t.Fatalf("status %s: %s: %s", r.Status, r.Error, r.Cause)
				}
				if got, want := ran(r), tasksExcept(tc.skipped...); !reflect.DeepEqual(got, want) {
					t.Errorf("ran %v, want %v", got, want)
				}
				for _, c := range r.Calls {
					if c.State != "Load data" {
						args := c.Input.(map[string]any)["Arguments"].(map[string]any)
						if args["--process_date"] != tc.date {
							t.Errorf("%s got --process_date %v, want %s", c.State, args["--process_date"], tc.date)
						}
					}
				}
				// The output says, per flag, whether its task ran.
				runs := r.Output.(map[string]any)["runs"].(map[string]any)
				for flag := range taskOf {
					want := "ran"
					if slices.Contains(tc.skipped, flag) {
						want = "skipped"
					}
					if got := runs[flag].(map[string]any)["status"]; got != want {
						t.Errorf("runs.%s.status = %v, want %s", flag, got, want)
					}
				}
			})
		}
	})
}

// TestSnapshotDateAtMidnight: an execution that starts at 23:59:58 and
// fetches a feed stamped 00:00:03 the next day processes the next day, where
// the snapshot was filed, not the start date; without ingest, the given or
// default date holds.
func TestSnapshotDateAtMidnight(t *testing.T) {
	nextDay := succeeding()
	nextDay["Load data"] = aslrun.Mock{Output: map[string]any{"StatusCode": 200, "Payload": map[string]any{
		"objects_written": 1, "key": "raw/velib/dt=2026-11-22/velib-20261122T000003Z.json.gz", "date": "2026-11-22"}}}
	tests := []struct {
		input, want string
	}{
		{`{}`, "2026-11-22"},
		{`{"lambda_load_data": false}`, "2026-11-21"},
		{`{"lambda_load_data": false, "process_date": "2026-11-02"}`, "2026-11-02"},
	}
	cases := make([]aslrun.Case, len(tests))
	for i, tc := range tests {
		cases[i] = aslrun.Case{Input: json.RawMessage(tc.input), Mocks: nextDay}
	}
	def := flatDefinition(t)
	for _, in := range aslrun.Interpreters {
		t.Run(in.Name, func(t *testing.T) {
			results, err := in.Run(def, "2026-11-21T23:59:58.000Z", cases)
			if err != nil {
				t.Fatal(err)
			}
			for i, tc := range tests {
				r := results[i]
				if r.Status != "SUCCEEDED" {
					t.Fatalf("%s: %s: %s: %s", tc.input, r.Status, r.Error, r.Cause)
				}
				glue := 0
				for _, c := range r.Calls {
					if c.State == "Load data" {
						continue
					}
					glue++
					if got := c.Input.(map[string]any)["Arguments"].(map[string]any)["--process_date"]; got != tc.want {
						t.Errorf("%s: %s got --process_date %v, want %s", tc.input, c.State, got, tc.want)
					}
				}
				if glue != 3 {
					t.Errorf("%s: %d Glue jobs ran, want 3", tc.input, glue)
				}
			}
		})
	}
}

func TestFailures(t *testing.T) {
	busyOnce := succeeding()
	busyOnce["Raw to silver"] = aslrun.Mock{
		Failures: []aslrun.Failure{{Error: "Glue.ConcurrentRunsExceededException", Cause: "Concurrent runs exceeded for velib-raw-to-silver"}},
		Output:   succeeding()["Raw to silver"].Output,
	}
	throttled := succeeding()
	throttled["Load data"] = aslrun.Mock{Failures: []aslrun.Failure{{Error: "Lambda.TooManyRequestsException"}}, Output: succeeding()["Load data"].Output}
	silverFails := succeeding()
	silverFails["Raw to silver"] = aslrun.Mock{Failures: []aslrun.Failure{{Error: "States.TaskFailed", Cause: "Glue job run failed"}}}
	goldFails := succeeding()
	goldFails["Gold avg stats"] = aslrun.Mock{Failures: []aslrun.Failure{{Error: "States.TaskFailed", Cause: "Glue job run failed"}}}
	ingestFails := succeeding()
	ingestFails["Load data"] = aslrun.Mock{Failures: []aslrun.Failure{{Error: "Lambda.Unknown", Cause: "station_status feed: HTTP 500"}}}
	ingestFails["Load data again"] = ingestFails["Load data"]

	tests := []struct {
		name        string
		mocks       map[string]aslrun.Mock
		status      string
		failedState string
		err         string
		retried     string
	}{
		{"Glue busy once, then the run goes through", busyOnce, "SUCCEEDED", "", "", "Raw to silver"},
		{"Lambda throttled once", throttled, "SUCCEEDED", "", "", "Load data"},
		{"silver job fails: the execution fails there, for a redrive to restart there", silverFails, "FAILED", "Raw to silver", "States.TaskFailed", ""},
		{"a gold job fails", goldFails, "FAILED", "Gold avg stats", "States.TaskFailed", ""},
		{"the function's own error is not retried: the system is ingested once more, then the execution fails", ingestFails, "FAILED", "Load data again", "Lambda.Unknown", ""},
	}
	cases := make([]aslrun.Case, len(tests))
	for i, tc := range tests {
		cases[i] = aslrun.Case{Input: json.RawMessage(`{}`), Mocks: tc.mocks}
	}
	onEach(t, cases, func(t *testing.T, results []aslrun.Result) {
		for i, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r := results[i]
				if r.Status != tc.status {
					t.Fatalf("status %s (%s: %s), want %s", r.Status, r.Error, r.Cause, tc.status)
				}
				if tc.status == "FAILED" && (r.FailedState != tc.failedState || r.Error != tc.err) {
					t.Errorf("failed at %q with %q, want %q with %q", r.FailedState, r.Error, tc.failedState, tc.err)
				}
				if tc.retried != "" && !reflect.DeepEqual(r.Retries, []string{tc.retried}) {
					t.Errorf("retries = %v, want [%s]", r.Retries, tc.retried)
				}
				if tc.retried == "" && len(r.Retries) != 0 {
					t.Errorf("retried %v: a deterministic failure must not be retried", r.Retries)
				}
				if tc.failedState == "Raw to silver" {
					for _, c := range r.Calls {
						if strings.HasPrefix(c.State, "Gold") {
							t.Errorf("%s ran after silver failed", c.State)
						}
					}
				}
			})
		}
	})
}

// TestASLValidator checks the flattened definition with asl-validator.
func TestASLValidator(t *testing.T) {
	path := filepath.Join(t.TempDir(), "definition.json")
	if err := os.WriteFile(path, flatDefinition(t), 0o644); err != nil {
		t.Fatal(err)
	}
	validator, err := tools.NodeBin("asl-validator")
	if err != nil {
		t.Fatal(err)
	}
	cmd, err := tools.Node(validator, "--json-path", path)
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("asl-validator: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "✓") && !strings.Contains(strings.ToLower(string(out)), "valid") {
		t.Errorf("unexpected asl-validator output: %s", out)
	}
}
