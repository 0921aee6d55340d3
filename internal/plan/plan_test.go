package plan

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// velib is the real synthesized template, kept current by the stack's
// snapshot test.
func velib(t *testing.T) *Definition {
	t.Helper()
	b, err := os.ReadFile("../../stacks/testdata/AWSStateFunctionPartialRuns.template.json")
	if err != nil {
		t.Fatal(err)
	}
	d, err := Load(b)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestVelibGuards(t *testing.T) {
	d := velib(t)
	want := []Guard{
		{Flag: "lambda_load_data", State: "Run lambda_load_data?", Task: "Load each system", Body: []string{"Load each system", "Load data", "Sort the systems by outcome"},
			Downstream: []string{"velib_raw_to_silver", "velib_silver_to_gold_avg_stats", "velib_silver_to_gold_avail_percent"}},
		{Flag: "velib_raw_to_silver", State: "Run velib_raw_to_silver?", Task: "Raw to silver", Body: []string{"Raw to silver"},
			Downstream: []string{"velib_silver_to_gold_avg_stats", "velib_silver_to_gold_avail_percent"}},
		{Flag: "velib_silver_to_gold_avg_stats", State: "Run velib_silver_to_gold_avg_stats?", Task: "Gold avg stats", Body: []string{"Gold avg stats"}},
		{Flag: "velib_silver_to_gold_avail_percent", State: "Run velib_silver_to_gold_avail_percent?", Task: "Gold avail percent", Body: []string{"Gold avail percent"}},
	}
	if !reflect.DeepEqual(d.Guards, want) {
		t.Errorf("guards:\n got %+v\nwant %+v", d.Guards, want)
	}
}

// handMade has a guarded chain (two tasks behind one flag), a guard in
// rewritten Not form, and a Parallel nested in a Parallel branch.
const handMade = `{
  "StartAt": "Run prep?",
  "States": {
    "Run prep?": {"Type": "Choice", "Choices": [
      {"Not": {"Variable": "$.prep", "IsPresent": true}, "Next": "Fetch"},
      {"Variable": "$.prep", "BooleanEquals": true, "Next": "Fetch"}], "Default": "Outer"},
    "Fetch": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "Clean"},
    "Clean": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "Outer"},
    "Outer": {"Type": "Parallel", "Next": "Run report?", "Branches": [
      {"StartAt": "Run a?", "States": {
        "Run a?": {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsPresent": false, "Next": "A"}, {"Variable": "$.a", "BooleanEquals": true, "Next": "A"}], "Default": "Skip a"},
        "A": {"Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun.sync", "End": true},
        "Skip a": {"Type": "Pass", "End": true}}},
      {"StartAt": "Run inner?", "States": {
        "Run inner?": {"Type": "Choice", "Choices": [{"Variable": "$.inner", "IsPresent": false, "Next": "Inner"}, {"Variable": "$.inner", "BooleanEquals": true, "Next": "Inner"}], "Default": "Skip inner"},
        "Skip inner": {"Type": "Pass", "End": true},
        "Inner": {"Type": "Parallel", "End": true, "Branches": [
          {"StartAt": "Run b?", "States": {
            "Run b?": {"Type": "Choice", "Choices": [{"Variable": "$.b", "IsPresent": false, "Next": "B"}, {"Variable": "$.b", "BooleanEquals": true, "Next": "B"}], "Default": "Skip b"},
            "B": {"Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun.sync", "End": true},
            "Skip b": {"Type": "Pass", "End": true}}}]}}}]},
    "Run report?": {"Type": "Choice", "Choices": [{"Variable": "$.report", "IsPresent": false, "Next": "Report"}, {"Variable": "$.report", "BooleanEquals": true, "Next": "Report"}], "Default": "Done"},
    "Report": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "Done"},
    "Not a guard": {"Type": "Choice", "Choices": [{"Variable": "$.x", "NumericEquals": 1, "Next": "Done"}], "Default": "Done"},
    "Done": {"Type": "Succeed"}
  }
}`

func TestHandMadeGuards(t *testing.T) {
	d, err := Parse([]byte(handMade))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := d.Flags(), []string{"prep", "a", "inner", "report", "b"}; !reflect.DeepEqual(got, want) {
		t.Errorf("flags = %v, want %v", got, want)
	}
	byFlag := map[string]Guard{}
	for _, g := range d.Guards {
		byFlag[g.Flag] = g
	}
	tests := []struct {
		flag       string
		body       []string
		downstream []string
	}{
		{"prep", []string{"Fetch", "Clean"}, []string{"a", "inner", "report", "b"}},
		{"a", []string{"A"}, []string{"report"}},
		{"inner", []string{"Inner", "Run b?", "B", "Skip b"}, []string{"report", "b"}},
		{"b", []string{"B"}, []string{"report"}},
		{"report", []string{"Report"}, nil},
	}
	for _, tc := range tests {
		g := byFlag[tc.flag]
		if !reflect.DeepEqual(g.Body, tc.body) || !reflect.DeepEqual(g.Downstream, tc.downstream) {
			t.Errorf("%s: body %v downstream %v; want %v %v", tc.flag, g.Body, g.Downstream, tc.body, tc.downstream)
		}
	}
}

func TestSelect(t *testing.T) {
	d := velib(t)
	all := func(v bool) map[string]bool {
		return map[string]bool{"lambda_load_data": v, "velib_raw_to_silver": v, "velib_silver_to_gold_avg_stats": v, "velib_silver_to_gold_avail_percent": v}
	}
	with := func(m map[string]bool, flags ...string) map[string]bool {
		for _, f := range flags {
			m[f] = !m[f]
		}
		return m
	}
	tests := []struct {
		name       string
		from       string
		only, skip []string
		want       map[string]bool
		err        string
	}{
		{name: "everything", want: all(true)},
		{name: "from silver, by task name", from: "Raw to silver", want: with(all(true), "lambda_load_data")},
		{name: "from silver, by flag", from: "velib_raw_to_silver", want: with(all(true), "lambda_load_data")},
		{name: "from a gold job: its sibling is not downstream", from: "Gold avg stats", want: with(all(false), "velib_silver_to_gold_avg_stats")},
		{name: "only two", only: []string{"Gold avg stats", "velib_silver_to_gold_avail_percent"}, want: with(all(false), "velib_silver_to_gold_avg_stats", "velib_silver_to_gold_avail_percent")},
		{name: "skip ingest", skip: []string{"Load each system"}, want: with(all(true), "lambda_load_data")},
		{name: "skip ingest by the task its Map runs", skip: []string{"Load data"}, want: with(all(true), "lambda_load_data")},
		{name: "from silver but skip avail", from: "Raw to silver", skip: []string{"Gold avail percent"}, want: with(all(true), "lambda_load_data", "velib_silver_to_gold_avail_percent")},
		{name: "unknown name", from: "Raw to gold", err: `unknown task or flag "Raw to gold"; valid ones are: lambda_load_data (Load each system), velib_raw_to_silver (Raw to silver)`},
		{name: "unknown in --skip", skip: []string{"x"}, err: `unknown task or flag "x"`},
		{name: "from and only", from: "Load data", only: []string{"Raw to silver"}, err: "cannot be combined"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := d.Select(tc.from, tc.only, tc.skip)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestInputAndTable(t *testing.T) {
	d := velib(t)
	run, err := d.Select("Raw to silver", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"lambda_load_data": false, "velib_raw_to_silver": true, "velib_silver_to_gold_avg_stats": true, "velib_silver_to_gold_avail_percent": true, "process_date": "2026-11-20"}`
	if got := d.Input(run, "2026-11-20"); got != want {
		t.Errorf("input = %s", got)
	}
	table := d.Table(run)
	for _, line := range []string{"lambda_load_data                    Load each system    skip", "velib_raw_to_silver                 Raw to silver       run"} {
		if !strings.Contains(table, line) {
			t.Errorf("table lacks %q:\n%s", line, table)
		}
	}
}

func TestResume(t *testing.T) {
	d := velib(t)
	exited := func(names ...string) map[string]bool {
		m := map[string]bool{}
		for _, n := range names {
			m[n] = true
		}
		return m
	}
	tests := []struct {
		name   string
		input  map[string]any
		exited map[string]bool
		want   map[string]bool
	}{
		{"failed in silver: silver and gold again", map[string]any{}, exited("Load each system"),
			map[string]bool{"lambda_load_data": false, "velib_raw_to_silver": true, "velib_silver_to_gold_avg_stats": true, "velib_silver_to_gold_avail_percent": true}},
		{"one gold branch failed: only that one", map[string]any{}, exited("Load each system", "Raw to silver", "Gold avg stats"),
			map[string]bool{"lambda_load_data": false, "velib_raw_to_silver": false, "velib_silver_to_gold_avg_stats": false, "velib_silver_to_gold_avail_percent": true}},
		{"a run that succeeded: nothing to do", map[string]any{}, exited("Load each system", "Raw to silver", "Gold avg stats", "Gold avail percent", "Gold"),
			map[string]bool{"lambda_load_data": false, "velib_raw_to_silver": false, "velib_silver_to_gold_avg_stats": false, "velib_silver_to_gold_avail_percent": false}},
		{"a gold-only run keeps ingest and silver off", map[string]any{"lambda_load_data": false, "velib_raw_to_silver": false}, exited(),
			map[string]bool{"lambda_load_data": false, "velib_raw_to_silver": false, "velib_silver_to_gold_avg_stats": true, "velib_silver_to_gold_avail_percent": true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := RunMap(d.Resume(tc.input, tc.exited)); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestResumeOfAGuardedParallel(t *testing.T) {
	d, err := Parse([]byte(handMade))
	if err != nil {
		t.Fatal(err)
	}
	// "inner" guards a Parallel: its completion is the Parallel's, whatever
	// happened to the guards inside it.
	run := RunMap(d.Resume(map[string]any{"b": false}, map[string]bool{"Fetch": true, "Clean": true, "A": true, "Skip b": true, "Inner": true}))
	want := map[string]bool{"prep": false, "a": false, "inner": false, "b": false, "report": true}
	if !reflect.DeepEqual(run, want) {
		t.Errorf("got %v, want %v", run, want)
	}
	// A chain body is complete only when its last task completed too.
	run = RunMap(d.Resume(map[string]any{}, map[string]bool{"Fetch": true}))
	if !run["prep"] {
		t.Error("prep marked complete after Fetch alone")
	}
}

func TestLoadErrors(t *testing.T) {
	for in, want := range map[string]string{
		`nope`:                         "not JSON",
		`{"Resources": {}}`:            "holds 0 state machines",
		`{"StartAt": "A"}`:             "no StartAt or States",
		`{"StartAt": 3, "States": {}}`: "not a state machine definition",
	} {
		if _, err := Load([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Load(%s) = %v, want %q", in, err, want)
		}
	}
}
