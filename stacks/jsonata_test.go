package stacks_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/partialruns/velib-pipeline/constructs/skippable/render"
	"github.com/partialruns/velib-pipeline/constructs/skippable/skippabletest"
	"github.com/partialruns/velib-pipeline/internal/aslrun"
	"github.com/partialruns/velib-pipeline/internal/flaginputs"
	"github.com/partialruns/velib-pipeline/internal/jsonata"
	"github.com/partialruns/velib-pipeline/internal/layout"
)

var flags = []string{layout.FlagLoadData, layout.FlagRawToSilver, layout.FlagAvgStats, layout.FlagAvailPercent}

// pipelineRules: this pipeline takes a process_date only with ingest off.
var pipelineRules = flaginputs.Options{
	DateNeedsOff:      layout.FlagLoadData,
	DateNeedsOffCause: "process_date is given but lambda_load_data is not false",
	SubsetKey:         layout.SystemsKey,
	SubsetAllowed:     []string{layout.DefaultSystem},
	DayBefore:         layout.DayBeforeKey,
	MaxRangeDays:      layout.MaxRangeDays,
	ArrivalsKey:       layout.ArrivalsKey,
	ArrivalsPrefix:    layout.DefaultArrivalsPrefix,
}

// TestJSONataPortable walks the syntax tree of every JSONata expression in
// the synthesized definition, for each configuration the other tests use,
// and fails on anything AWS or an emulator refuses or reads differently: a
// top-level field reference, a lone $ or $$, $eval, a date picture.
func TestJSONataPortable(t *testing.T) {
	for _, ctx := range configurations {
		machines, err := render.AllFromTemplate(synth(t, ctx).JSON)
		if err != nil {
			t.Fatal(err)
		}
		var exprs []jsonata.Expression
		for _, def := range machines {
			found, err := jsonata.Expressions([]byte(def))
			if err != nil {
				t.Fatal(err)
			}
			exprs = append(exprs, found...)
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(exprs) == 0 {
			t.Fatal("no JSONata expression found: the validation state is missing")
		}
		findings, err := jsonata.Lint(exprs)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range findings {
			t.Errorf("%v: non-portable JSONata: %s", ctx, f)
		}
	}
}

// TestJSONataEngines evaluates every JSONata expression in the synthesized
// definition on jsonata-js 2.0.6 and jsonata-python for the shared table of
// inputs, and fails on any difference. Expressions are evaluated with the
// execution input as $states.input; those that Step Functions evaluates
// only on the valid path (the validated Output) are compared only there.
func TestJSONataEngines(t *testing.T) {
	exprs, err := jsonata.Expressions(flatDefinition(t))
	if err != nil {
		t.Fatal(err)
	}
	table := flaginputs.Table(flags, pipelineRules)
	cases := make([]jsonata.Case, len(table))
	for i, in := range table {
		cases[i] = jsonata.Case{Input: json.RawMessage(in.JSON), Context: map[string]any{"Execution": map[string]any{"StartTime": startTime}}}
	}
	diffs, _, err := jsonata.Differences(exprs, cases)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diffs {
		if strings.HasSuffix(d.Expression.Where, ".Output") && !table[d.Case].Valid {
			continue
		}
		t.Errorf("%s: the engines disagree on %s", table[d.Case].Name, d)
	}
	t.Logf("%d expressions × %d inputs × %d engines", len(exprs), len(cases), len(jsonata.Engines))
}

// TestInputTable runs the shared table of inputs through the synthesized
// state machine on both interpreters: every invalid input, bad dates
// included, fails with InvalidInput at the first state and a cause naming
// the key; every valid one runs the tasks it asks for with its date.
func TestInputTable(t *testing.T) {
	table := flaginputs.Table(flags, pipelineRules)
	kit, err := skippabletest.Load(flatDefinition(t))
	if err != nil {
		t.Fatal(err)
	}
	cases := make([]aslrun.Case, len(table))
	for i, in := range table {
		cases[i] = aslrun.Case{Input: json.RawMessage(in.JSON), Mocks: succeeding()}
	}
	onEach(t, cases, func(t *testing.T, results []aslrun.Result) {
		for i, in := range table {
			t.Run(in.Name, func(t *testing.T) {
				r := results[i]
				agreesWithKit(t, kit, in.JSON, r)
				if !in.Valid {
					if r.Status != "FAILED" || r.Error != "InvalidInput" || r.FailedState != "Invalid input" || len(r.Calls) != 0 {
						t.Fatalf("status %s, error %q at %q, %d task calls; want InvalidInput at the first state", r.Status, r.Error, r.FailedState, len(r.Calls))
					}
					for _, c := range in.Cause {
						if !strings.Contains(r.Cause, c) {
							t.Errorf("cause %q does not say %q", r.Cause, c)
						}
					}
					return
				}
				if r.Status != "SUCCEEDED" {
					t.Fatalf("status %s: %s: %s", r.Status, r.Error, r.Cause)
				}
				for _, c := range r.Calls {
					if c.State == "Load data" {
						continue
					}
					args := c.Input.(map[string]any)["Arguments"].(map[string]any)
					if got := args["--process_date"]; got != in.Date {
						t.Errorf("%s got --process_date %v, want %s", c.State, got, in.Date)
					}
					if want, _ := json.Marshal(in.Systems); in.Systems != nil && args["--systems"] != string(want) {
						t.Errorf("%s got --systems %v, want %s", c.State, args["--systems"], want)
					}
				}
				var off []string
				for flag, task := range taskOf {
					if !slices.ContainsFunc(r.Calls, func(c aslrun.Call) bool { return c.State == task }) {
						off = append(off, flag)
					}
				}
				slices.Sort(off)
				want := slices.Sorted(slices.Values(in.Off))
				if !slices.Equal(off, want) {
					t.Errorf("skipped %v, want %v", off, want)
				}
			})
		}
	})
}

// agreesWithKit checks the construct's test kit against an interpreter's
// run of the pipeline: the same verdict, with the same error and cause,
// and, where the kit can decide without the tasks' outputs (ingest off),
// the same steps run.
func agreesWithKit(t *testing.T, kit *skippabletest.Machine, input string, r aslrun.Result) {
	t.Helper()
	start, err := time.Parse(time.RFC3339, startTime)
	if err != nil {
		t.Fatal(err)
	}
	got, err := kit.Run(input, start)
	var undecided *skippabletest.UndecidedError
	if errors.As(err, &undecided) {
		if r.Status != "SUCCEEDED" {
			t.Errorf("the kit could not decide (%v); the interpreter failed with %s: %s", err, r.Error, r.Cause)
		}
		return
	}
	if err != nil {
		t.Fatalf("the kit: %v", err)
	}
	if got.Error != r.Error || got.Cause != r.Cause {
		t.Errorf("the kit says %q %q; the interpreter %s %q %q", got.Error, got.Cause, r.Status, r.Error, r.Cause)
		return
	}
	if got.Error != "" {
		return
	}
	for flag, task := range taskOf {
		ran := slices.ContainsFunc(r.Calls, func(c aslrun.Call) bool { return c.State == task })
		if ran != slices.Contains(got.Ran, flag) {
			t.Errorf("%s ran on the interpreter: %v; the kit's ran: %q", flag, ran, got.Ran)
		}
	}
}
