package paralleltests

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/constructs/skippable"
	"github.com/partialruns/velib-pipeline/constructs/skippable/contract"
	"github.com/partialruns/velib-pipeline/constructs/skippable/parallel"
	"github.com/partialruns/velib-pipeline/constructs/skippable/render"
	"github.com/partialruns/velib-pipeline/internal/aslrun"
	"github.com/partialruns/velib-pipeline/internal/cdktest"
)

func TestMain(m *testing.M) { cdktest.Main(m) }

// machine builds a state machine: a Pass that starts the runs record, then
// a fold Parallel of three guards, then Done, and returns its definition.
func machine(t *testing.T, ql sfn.QueryLanguage) map[string]map[string]any {
	t.Helper()
	stack := awscdk.NewStack(cdktest.NewApp(nil), jsii.String("Test"), nil)
	var start sfn.IChainable
	var branches []sfn.IChainable
	for _, flag := range []string{"a", "b", "c"} {
		var body sfn.IChainable
		if ql == sfn.QueryLanguage_JSONATA {
			body = sfn.Pass_Jsonata(stack, jsii.String("Work "+flag), nil)
		} else {
			body = sfn.NewPass(stack, jsii.String("Work "+flag), nil)
		}
		g := skippable.New(stack, jsii.String(flag), &skippable.Props{Flag: flag, Body: body, QueryLanguage: ql, Unvalidated: true})
		branches = append(branches, g.End())
	}
	if ql == sfn.QueryLanguage_JSONATA {
		start = sfn.Pass_Jsonata(stack, jsii.String("Start"), &sfn.PassJsonataProps{Outputs: jsii.String(`{% $merge([$states.input, {"runs": {"before": {"status": "ran"}}}]) %}`)})
	} else {
		start = sfn.NewPass(stack, jsii.String("Start"), &sfn.PassProps{
			Result: sfn.Result_FromObject(&map[string]any{"before": map[string]any{"status": "ran"}}), ResultPath: jsii.String("$.runs")})
	}
	p := parallel.New(stack, jsii.String("Side by side"), &parallel.Props{Branches: branches, QueryLanguage: ql})
	sfn.NewStateMachine(stack, jsii.String("Machine"), &sfn.StateMachineProps{
		QueryLanguage:  ql,
		DefinitionBody: sfn.DefinitionBody_FromChainable(sfn.Chain_Start(start).Next(p).Next(sfn.NewSucceed(stack, jsii.String("Done"), nil))),
	})
	var def struct{ States map[string]map[string]any }
	if msg := cdktest.Catch(func() {
		for _, m := range *assertions.Template_FromStack(stack, nil).FindResources(jsii.String("AWS::StepFunctions::StateMachine"), nil) {
			raw := (*m)["Properties"].(map[string]any)["DefinitionString"].(string)
			if err := json.Unmarshal([]byte(raw), &def); err != nil {
				t.Fatal(err)
			}
		}
	}); msg != "" {
		t.Fatalf("synth failed: %s", msg)
	}
	return def.States
}

func TestShape(t *testing.T) {
	tests := []struct {
		name    string
		ql      sfn.QueryLanguage
		endedBy string // the state that continues to Done
	}{
		{"JSONPath: the Parallel and a Pass", sfn.QueryLanguage_JSON_PATH, render.FoldName("Side by side")},
		{"JSONata: the Parallel alone", sfn.QueryLanguage_JSONATA, "Side by side"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			states := machine(t, tc.ql)
			if !render.IsFold(states["Side by side"]) {
				t.Errorf("the Parallel is not recognised as a fold: %v", states["Side by side"])
			}
			if got := states[tc.endedBy]["Next"]; got != "Done" {
				t.Errorf("%s.Next = %v, want Done", tc.endedBy, got)
			}
		})
	}
}

// TestRun runs the JSONPath fold on both interpreters and the JSONata one on
// moto: whatever the flags, every record of every branch is kept, and so is
// the one written before the Parallel.
func TestRun(t *testing.T) {
	inputs := []struct {
		input string
		ran   map[string]bool
	}{
		{`{}`, map[string]bool{"a": true, "b": true, "c": true}},
		{`{"b": false}`, map[string]bool{"a": true, "b": false, "c": true}},
		{`{"a": false, "b": false, "c": false}`, map[string]bool{}},
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
		{"JSONata", sfn.QueryLanguage_JSONATA},
	} {
		asl := map[string]any{"StartAt": "Start", "States": machine(t, mode.ql)}
		if mode.ql == sfn.QueryLanguage_JSONATA {
			asl["QueryLanguage"] = "JSONata"
		}
		def, err := json.Marshal(asl)
		if err != nil {
			t.Fatal(err)
		}
		for _, interp := range aslrun.For(mode.ql == sfn.QueryLanguage_JSONATA) {
			name := interp.Name
			results, err := interp.Run(def, "2026-11-21T10:00:00Z", cases)
			if err != nil {
				t.Fatal(err)
			}
			for i, in := range inputs {
				r := results[i]
				if r.Status != "SUCCEEDED" {
					t.Errorf("%s on %s: %s: %s %s: %s", mode.name, name, in.input, r.Status, r.Error, r.Cause)
					continue
				}
				want := map[string]any{"before": map[string]any{"status": "ran"}}
				for _, f := range []string{"a", "b", "c"} {
					status := contract.StatusSkipped
					if in.ran[f] {
						status = contract.StatusRan
					}
					want[f] = map[string]any{"status": status}
				}
				if got := r.Output.(map[string]any)["runs"]; !reflect.DeepEqual(got, want) {
					t.Errorf("%s on %s: %s: runs = %v, want %v", mode.name, name, in.input, got, want)
				}
			}
		}
	}
}

func TestMisuse(t *testing.T) {
	tests := []struct {
		name, id string
		props    *parallel.Props
		want     string
	}{
		{"no branches", "P", &parallel.Props{}, "P: Props.Branches is required"},
		{"no props", "P", nil, "P: Props.Branches is required"},
		{"an id too long for the Pass's name", strings.Repeat("p", 70), &parallel.Props{Branches: []sfn.IChainable{nil}}, "exceed 80 characters"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stack := awscdk.NewStack(cdktest.NewApp(nil), jsii.String("Test"), nil)
			msg := cdktest.Catch(func() { parallel.New(stack, jsii.String(tc.id), tc.props) })
			if !strings.Contains(msg, tc.want) {
				t.Errorf("message %q, want it to contain %q", msg, tc.want)
			}
		})
	}
}
