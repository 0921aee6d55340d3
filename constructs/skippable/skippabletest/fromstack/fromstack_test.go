package fromstack_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/constructs/skippable"
	"github.com/partialruns/velib-pipeline/constructs/skippable/contract"
	"github.com/partialruns/velib-pipeline/constructs/skippable/internal/synthtest"
	"github.com/partialruns/velib-pipeline/constructs/skippable/parallel"
	"github.com/partialruns/velib-pipeline/constructs/skippable/skippabletest"
	"github.com/partialruns/velib-pipeline/constructs/skippable/skippabletest/fromstack"
	"github.com/partialruns/velib-pipeline/constructs/skippable/validation"
)

func TestMain(m *testing.M) { synthtest.Main(m) }

var start = time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC)

// machines builds one stack with two state machines: a JSONPath one
// with a guard, then two guards side by side in a Parallel; and a JSONata
// one with a guarded Wait after a guarded Pass.
func machines(t *testing.T) (awscdk.Stack, map[string]sfn.StateMachine) {
	t.Helper()
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Test"), nil)
	pass := func(scope awscdk.Stack, name string) sfn.Pass { return sfn.NewPass(scope, jsii.String(name), nil) }
	guard := func(flag string, body sfn.IChainable, lang sfn.QueryLanguage) *skippable.Skippable {
		return skippable.New(stack, jsii.String(flag), &skippable.Props{Flag: flag, Body: body, QueryLanguage: lang})
	}
	jsonPath := validation.New(stack, jsii.String("Validate"), nil)
	jsonPath.Next(guard("load", pass(stack, "Load"), sfn.QueryLanguage_JSON_PATH)).
		Next(parallel.New(stack, jsii.String("Publish"), &parallel.Props{Branches: []sfn.IChainable{
			guard("web", pass(stack, "Web"), sfn.QueryLanguage_JSON_PATH).End(),
			guard("mail", pass(stack, "Mail"), sfn.QueryLanguage_JSON_PATH).End(),
		}}))
	jsonata := validation.New(stack, jsii.String("Validate2"), nil)
	wait := sfn.Wait_Jsonata(stack, jsii.String("Cool down"), &sfn.WaitJsonataProps{Time: sfn.WaitTime_Duration(awscdk.Duration_Seconds(jsii.Number(5)))})
	jsonata.Next(guard("prepare", sfn.Pass_Jsonata(stack, jsii.String("Prepare"), nil), sfn.QueryLanguage_JSONATA)).
		Next(guard("cool", wait, sfn.QueryLanguage_JSONATA).End())
	return stack, map[string]sfn.StateMachine{
		"jsonpath": sfn.NewStateMachine(stack, jsii.String("JSONPath"), &sfn.StateMachineProps{
			DefinitionBody: sfn.DefinitionBody_FromChainable(jsonPath),
		}),
		"jsonata": sfn.NewStateMachine(stack, jsii.String("JSONata"), &sfn.StateMachineProps{
			DefinitionBody: sfn.DefinitionBody_FromChainable(jsonata),
			QueryLanguage:  sfn.QueryLanguage_JSONATA,
		}),
	}
}

func TestLoadMachine(t *testing.T) {
	stack, sms := machines(t)
	tests := []struct {
		machine, input string
		ran, skipped   []string
		runs           map[string]string
		cause          string
	}{
		{machine: "jsonpath", input: `{}`, ran: []string{"load", "web", "mail"},
			runs: map[string]string{"load": "ran", "web": "ran", "mail": "ran"}},
		{machine: "jsonpath", input: `{"mail": false, "load": false}`, ran: []string{"web"}, skipped: []string{"load", "mail"},
			runs: map[string]string{"load": "skipped", "web": "ran", "mail": "skipped"}},
		{machine: "jsonpath", input: `{"laod": false}`, cause: `unknown key(s) "laod"`},
		{machine: "jsonpath", input: `{"web": "no"}`, cause: `flag "web" must be true or false, got "no"`},
		{machine: "jsonata", input: `{"cool": false}`, ran: []string{"prepare"}, skipped: []string{"cool"},
			runs: map[string]string{"prepare": "ran", "cool": "skipped"}},
		{machine: "jsonata", input: `{"web": false}`, cause: `unknown key(s) "web"; valid flags are prepare, cool`},
	}
	loaded := map[string]*skippabletest.Machine{}
	for name, sm := range sms {
		m, err := fromstack.LoadMachine(stack, sm)
		if err != nil {
			t.Fatal(err)
		}
		loaded[name] = m
	}
	for _, tt := range tests {
		t.Run(tt.machine+" "+tt.input, func(t *testing.T) {
			got, err := loaded[tt.machine].Run(tt.input, start)
			if err != nil {
				t.Fatal(err)
			}
			if tt.cause != "" {
				if got.Valid() || !strings.Contains(got.Cause, tt.cause) {
					t.Errorf("got %q %q, want InvalidInput saying %q", got.Error, got.Cause, tt.cause)
				}
				return
			}
			if got.Error != "" || !reflect.DeepEqual(got.Ran, tt.ran) || !reflect.DeepEqual(got.Skipped, tt.skipped) || !reflect.DeepEqual(got.Runs, tt.runs) {
				t.Errorf("got %q %q, ran %q, skipped %q, runs %v; want ran %q, skipped %q, runs %v",
					got.Error, got.Cause, got.Ran, got.Skipped, got.Runs, tt.ran, tt.skipped, tt.runs)
			}
		})
	}
}

// TestDistributedMap: each item is a child execution whose input is the
// item; the flag reaches it through the ItemSelector, absent or not.
func TestDistributedMap(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Test"), nil)
	v := validation.New(stack, jsii.String("Validate"), &validation.Props{Params: []contract.Param{contract.ArrayParam("items", "files")}})
	m := sfn.DistributedMap_Jsonata(stack, jsii.String("Each"), &sfn.DistributedMapJsonataProps{
		Items: sfn.ProvideItems_Jsonata(jsii.String("{% $states.input.items %}")),
		ItemSelector: &map[string]any{
			"item": "{% $states.context.Map.Item.Value %}",
			"save": contract.FlagValue("save"),
		},
		Outputs: jsii.String(contract.ResultUnder("saved")),
	})
	m.ItemProcessor(skippable.New(stack, jsii.String("Save"), &skippable.Props{
		Flag: "save", Body: sfn.Pass_Jsonata(stack, jsii.String("Save file"), nil), QueryLanguage: sfn.QueryLanguage_JSONATA,
	}).End(), nil)
	sfn.NewStateMachine(stack, jsii.String("Machine"), &sfn.StateMachineProps{
		QueryLanguage: sfn.QueryLanguage_JSONATA, DefinitionBody: sfn.DefinitionBody_FromChainable(v.Next(m)),
	})
	machine, err := fromstack.Load(stack)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		input        string
		ran, skipped []string
	}{
		{`{"items": ["a", "b"]}`, []string{"save"}, nil},
		{`{"items": ["a"], "save": true}`, []string{"save"}, nil},
		{`{"items": ["a", "b"], "save": false}`, nil, []string{"save"}},
	} {
		got, err := machine.Run(tt.input, start)
		if err != nil || got.Error != "" || !reflect.DeepEqual(got.Ran, tt.ran) || !reflect.DeepEqual(got.Skipped, tt.skipped) {
			t.Errorf("%s: %v %s %s, ran %q skipped %q; want ran %q skipped %q", tt.input, err, got.Error, got.Cause, got.Ran, got.Skipped, tt.ran, tt.skipped)
		}
	}
}

func TestLoadNeedsOneMachine(t *testing.T) {
	stack, _ := machines(t)
	if _, err := fromstack.Load(stack); err == nil || !strings.Contains(err.Error(), "2 state machines") {
		t.Errorf("Load of a stack with two machines: %v", err)
	}
}
