package skippabletests

import (
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/constructs/skippable"
	"github.com/partialruns/velib-pipeline/constructs/skippable/contract"
	"github.com/partialruns/velib-pipeline/constructs/skippable/skippabletest"
	"github.com/partialruns/velib-pipeline/constructs/skippable/validation"
	"github.com/partialruns/velib-pipeline/internal/aslrun"
	"github.com/partialruns/velib-pipeline/internal/flaginputs"
	"github.com/partialruns/velib-pipeline/internal/plan"
)

// TestKitAgreesWithInterpreters runs the whole input table through the
// test kit and through the interpreters nobody here wrote (moto's, and
// aws-local-stepfunctions for JSONPath machines), on machines with guards
// in sequence, in a Parallel and in a Map iteration, in both query
// languages, and checks that they agree on every answer the kit gives:
// success or the exact error and cause, the final output (the runs record
// with it), and which guarded steps ran.
func TestKitAgreesWithInterpreters(t *testing.T) {
	guarded, err := os.ReadFile("testdata/guarded.asl.json")
	if err != nil {
		t.Fatal(err)
	}
	machines := []struct {
		name       string
		definition []byte
		jsonata    bool
		// inputs are the machine's own, for one the shared table does not
		// fit.
		inputs []string
	}{
		{"guarded (JSONPath, Parallel)", guarded, false, nil},
		{"nested JSONPath", nestedMachine(t, sfn.QueryLanguage_JSON_PATH), false, nil},
		{"nested JSONata", nestedMachine(t, sfn.QueryLanguage_JSONATA), true, nil},
		{"ready-made parameters", paramsMachine(t), false, []string{
			`{}`, `{"note": "x", "items": [1, {"a": [2]}], "payload": {"x": [null]}}`, `{"items": [[]]}`,
			`{"payload": null, "systems": ["bixi"]}`, `{"note": 3}`, `{"note": null}`, `{"note": ["x"]}`,
			`{"items": {"a": 1}}`, `{"items": "a"}`, `{"items": null}`, `{"systems": ["velib", "nope"]}`,
			`{"systems": []}`, `{"item": []}`, `{"load": false, "items": [1]}`,
			`{"systems": [null]}`, `{"systems": ["velib", null]}`, `{"items": [null, 1]}`, `{"note": ""}`,
		}},
		{"a parameter and a value derived from it", derivedMachine(t), false, []string{
			`{}`, `{"object_key": "raw/velib/dt=2026-12-01/a.json.gz"}`, `{"object_key": "raw/velib/dt=2026-12-01/sub/a.json"}`,
			`{"object_key": "raw/velib/a.json"}`, `{"object_key": 3}`, `{"object_key": null}`, `{"object_key": "raw/Velib/dt=2026-12-01/a"}`,
			`{"arrival_day": "2026-12-01"}`,
		}},
	}
	start, err := time.Parse(time.RFC3339, flaginputs.StartTime)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range machines {
		t.Run(m.name, func(t *testing.T) {
			kit, err := skippabletest.Load(m.definition)
			if err != nil {
				t.Fatal(err)
			}
			parsed, err := plan.Parse(m.definition)
			if err != nil {
				t.Fatal(err)
			}
			var table []flaginputs.Input
			for _, in := range m.inputs {
				table = append(table, flaginputs.Input{Name: in, JSON: in})
			}
			if m.inputs == nil {
				table = flaginputs.Table(parsed.Flags())
			}
			cases := make([]aslrun.Case, len(table))
			for i, in := range table {
				cases[i] = aslrun.Case{Input: json.RawMessage(in.JSON)}
			}
			for _, interp := range aslrun.For(m.jsonata) {
				results, err := interp.Run(m.definition, flaginputs.StartTime, cases)
				if err != nil {
					t.Fatal(err)
				}
				for i, in := range table {
					want := results[i]
					got, err := kit.Run(in.JSON, start)
					if err != nil {
						t.Errorf("%s: %s: the kit: %v", interp.Name, in.Name, err)
						continue
					}
					if (got.Error == "") != (want.Status == "SUCCEEDED") || got.Error != want.Error || got.Cause != want.Cause {
						t.Errorf("%s: %s: the kit says %q %q; the interpreter %s %q %q",
							interp.Name, in.Name, got.Error, got.Cause, want.Status, want.Error, want.Cause)
						continue
					}
					if got.Error != "" {
						continue
					}
					if interp.Name == "moto" {
						want.Output = unwrapMotoFold(want.Output)
					}
					if !reflect.DeepEqual(got.Output, want.Output) {
						t.Errorf("%s: %s: the kit's output %v; the interpreter's %v", interp.Name, in.Name, got.Output, want.Output)
					}
					if !interp.MapContext {
						continue // guards in Map iterations need the context it lacks
					}
					for _, g := range parsed.Guards {
						if ran := slices.Contains(want.Entered, g.Task); ran != slices.Contains(got.Ran, g.Flag) {
							t.Errorf("%s: %s: %s ran on the interpreter: %v; the kit's ran: %q", interp.Name, in.Name, g.Flag, ran, got.Ran)
						}
					}
				}
			}
		})
	}
}

// unwrapMotoFold undoes a divergence of moto's interpreter: a
// ResultSelector path such as "$[0].runs" (the fold of a one-branch
// Parallel) gives moto a one-element list, where Step Functions, whose
// reference paths select one node, gives the value itself, as
// aws-local-stepfunctions and the kit do.
func unwrapMotoFold(output any) any {
	obj, ok := output.(map[string]any)
	if !ok {
		return output
	}
	if list, ok := obj["runs"].([]any); ok && len(list) == 1 {
		cp := map[string]any{}
		for k, v := range obj {
			cp[k] = v
		}
		cp["runs"] = list[0]
		return cp
	}
	return output
}

// paramsMachine declares every ready-made parameter.
func paramsMachine(t *testing.T) []byte {
	t.Helper()
	return renderJSON(t, func(s awscdk.Stack) sfn.IChainable {
		v := validation.New(s, jsii.String("Validate"), &validation.Props{Params: []contract.Param{
			contract.StringParam("note", "a note"),
			contract.ArrayParam("items", "the items to load"),
			contract.JSONParam("payload", "anything"),
			contract.SubsetParam("systems", []string{"velib", "bixi"}),
		}})
		return v.Next(skippable.New(s, jsii.String("Load"), &skippable.Props{Flag: "load", Body: pass(s, "Load data")}).End())
	})
}

// derivedMachine is the README's arrival example: a key checked by a
// parameter of one's own, and a day derived from it.
func derivedMachine(t *testing.T) []byte {
	t.Helper()
	return renderJSON(t, func(s awscdk.Stack) sfn.IChainable {
		v := validation.New(s, jsii.String("Validate"), &validation.Props{
			Params: []contract.Param{{
				Name:     "object_key",
				Describe: "the key of a file that arrived, raw/<system>/dt=<day>/<file>",
				Check: `(
					$parts := $type($value) = "string" ? $match($value, /^raw\/([a-z]+)\/dt=([0-9]{4}-[0-9]{2}-[0-9]{2})\/[^\/]+$/) : [];
					$count($parts) = 1 ? [] : "object_key must look like raw/<system>/dt=YYYY-MM-DD/<file>, got " & $show($value)
				)`,
			}},
			Derived: []contract.Derived{{
				Name: "arrival_day",
				Expr: `$exists($in.object_key) ? $match($in.object_key, /dt=([0-9-]{10})\//).groups[0] : $today`,
			}},
		})
		return v.Next(skippable.New(s, jsii.String("Load"), &skippable.Props{Flag: "load", Body: pass(s, "Load file")}).End())
	})
}
