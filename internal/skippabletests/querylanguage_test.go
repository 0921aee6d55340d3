package skippabletests

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/constructs/skippable"
	"github.com/partialruns/velib-pipeline/constructs/skippable/parallel"
	"github.com/partialruns/velib-pipeline/constructs/skippable/validation"
	"github.com/partialruns/velib-pipeline/internal/aslrun"
	"github.com/partialruns/velib-pipeline/internal/cdktest"
	"github.com/partialruns/velib-pipeline/internal/plan"
)

// nestedMachine builds, in the given query language, a state machine whose
// guards sit inside a Map iteration and in both branches of a Parallel:
//
//	Validate input → Make items → Each item (Map: Run each? → Work) →
//	Both (Parallel: Run left? → Left | Run right? → Right) → Done
func nestedMachine(t *testing.T, ql sfn.QueryLanguage) []byte {
	t.Helper()
	stack := awscdk.NewStack(cdktest.NewApp(nil), jsii.String("Test"), nil)
	jsonata := ql == sfn.QueryLanguage_JSONATA
	guard := func(id, flag string, body sfn.IChainable) *skippable.Skippable {
		return skippable.New(stack, jsii.String(id), &skippable.Props{Flag: flag, Body: body, QueryLanguage: ql})
	}
	var items, each, both, work, left, right, done sfn.IChainable
	if jsonata {
		items = sfn.Pass_Jsonata(stack, jsii.String("Make items"), &sfn.PassJsonataProps{Outputs: jsii.String(`{% $merge([$states.input, {"items": [1, 2, 3]}]) %}`)})
		work = sfn.Pass_Jsonata(stack, jsii.String("Work"), nil)
		left = sfn.Pass_Jsonata(stack, jsii.String("Left"), nil)
		right = sfn.Pass_Jsonata(stack, jsii.String("Right"), nil)
		done = sfn.Succeed_Jsonata(stack, jsii.String("Done"), nil)
		m := sfn.Map_Jsonata(stack, jsii.String("Each item"), &sfn.MapJsonataProps{
			Items:   sfn.ProvideItems_Jsonata(jsii.String("{% $states.input.items %}")),
			Outputs: jsii.String("{% $states.input %}"),
		})
		m.ItemProcessor(guard("EachGuard", "each", work).End(), nil)
		each = m
	} else {
		// A JSONPath state records its outcome with ResultPath, which
		// needs an object: the items are objects here, where the JSONata
		// machine above iterates over numbers.
		items = sfn.NewPass(stack, jsii.String("Make items"), &sfn.PassProps{
			Result: sfn.Result_FromArray(&[]any{map[string]any{"n": 1}, map[string]any{"n": 2}, map[string]any{"n": 3}}), ResultPath: jsii.String("$.items")})
		work = sfn.NewPass(stack, jsii.String("Work"), nil)
		left = sfn.NewPass(stack, jsii.String("Left"), nil)
		right = sfn.NewPass(stack, jsii.String("Right"), nil)
		done = sfn.NewSucceed(stack, jsii.String("Done"), nil)
		m := sfn.NewMap(stack, jsii.String("Each item"), &sfn.MapProps{ItemsPath: jsii.String("$.items"), ResultPath: sfn.JsonPath_DISCARD()})
		m.ItemProcessor(guard("EachGuard", "each", work).End(), nil)
		each = m
	}
	both = parallel.New(stack, jsii.String("Both"), &parallel.Props{
		Branches:      []sfn.IChainable{guard("LeftGuard", "left", left).End(), guard("RightGuard", "right", right).End()},
		QueryLanguage: ql,
	})
	validate := validation.New(stack, jsii.String("Validate"), nil)
	sfn.NewStateMachine(stack, jsii.String("Machine"), &sfn.StateMachineProps{
		QueryLanguage:  ql,
		DefinitionBody: sfn.DefinitionBody_FromChainable(validate.Next(items).Next(each).Next(both).Next(done)),
	})
	var raw []byte
	if msg := cdktest.Catch(func() { raw = definitionJSON(stack) }); msg != "" {
		t.Fatalf("synth failed: %s", msg)
	}
	lintJSONata(t, raw)
	return raw
}

// record is the runs record of a body that ran or not.
func record(ran bool) map[string]any {
	if ran {
		return map[string]any{"status": "ran"}
	}
	return map[string]any{"status": "skipped"}
}

// named prefixes a test's error messages with the interpreter's name.
type named struct {
	*testing.T
	name string
}

func (n *named) Errorf(format string, args ...any) {
	n.T.Helper()
	n.T.Errorf(n.name+": "+format, args...)
}

// TestQueryLanguages runs guards inside a Map iteration and in Parallel
// branches, in a JSONPath and in a JSONata state machine, on moto's
// interpreter, and the JSONPath one on aws-local-stepfunctions too, and
// checks which bodies run for each input.
func TestQueryLanguages(t *testing.T) {
	inputs := []struct {
		input string
		work  int // times the Map body runs (3 items)
		left  bool
		right bool
	}{
		{`{}`, 3, true, true},
		{`{"each": false}`, 0, true, true},
		{`{"left": false, "each": true}`, 3, false, true},
		{`{"each": false, "left": false, "right": false}`, 0, false, false},
	}
	cases := make([]aslrun.Case, len(inputs))
	for i, in := range inputs {
		cases[i] = aslrun.Case{Input: json.RawMessage(in.input)}
	}
	for _, mode := range []struct {
		name string
		ql   sfn.QueryLanguage
	}{
		{"JSONPath", sfn.QueryLanguage_JSON_PATH},
		// aws-local-stepfunctions runs no JSONata state.
		{"JSONata", sfn.QueryLanguage_JSONATA},
	} {
		t.Run(mode.name, func(t *testing.T) {
			def := nestedMachine(t, mode.ql)
			// partialrun and make local find every guard, nested ones too.
			parsed, err := plan.Parse(def)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := parsed.Flags(), []string{"each", "left", "right"}; !slices.Equal(got, want) {
				t.Errorf("the planner finds flags %v, want %v", got, want)
			}
			for _, interp := range aslrun.For(mode.ql == sfn.QueryLanguage_JSONATA) {
				results, err := interp.Run(def, "2026-11-21T10:00:00Z", cases)
				if err != nil {
					t.Fatal(err)
				}
				t := &named{t, interp.Name}
				for i, in := range inputs {
					r := results[i]
					if r.Status != "SUCCEEDED" {
						t.Errorf("%s: status %s: %s: %s", in.input, r.Status, r.Error, r.Cause)
						continue
					}
					count := func(state string) int {
						n := 0
						for _, e := range r.Entered {
							if e == state {
								n++
							}
						}
						return n
					}
					if got := count("Work"); interp.MapContext && got != in.work {
						t.Errorf("%s: the Map body ran %d times, want %d (entered %v)", in.input, got, in.work, r.Entered)
					}
					if got := slices.Contains(r.Entered, "Left"); got != in.left {
						t.Errorf("%s: Left ran = %v, want %v", in.input, got, in.left)
					}
					if got := slices.Contains(r.Entered, "Right"); got != in.right {
						t.Errorf("%s: Right ran = %v, want %v", in.input, got, in.right)
					}
					// The Parallel keeps both branches' records; the
					// Map's per-item records go with its discarded result,
					// and only the validation's record of a flag switched
					// off remains.
					want := map[string]any{"left": record(in.left), "right": record(in.right)}
					if in.work == 0 {
						want["each"] = record(false)
					}
					if got := r.Output.(map[string]any)["runs"]; !reflect.DeepEqual(got, want) {
						t.Errorf("%s: runs = %v, want %v", in.input, got, want)
					}
				}
			}
		})
	}
}
