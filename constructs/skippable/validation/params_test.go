package validation_test

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
	"github.com/partialruns/velib-pipeline/constructs/skippable/skippabletest/fromstack"
	"github.com/partialruns/velib-pipeline/constructs/skippable/validation"
)

// TestReadyMadeParams runs inputs through a machine declaring every
// ready-made parameter, on the test kit.
func TestReadyMadeParams(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Params"), nil)
	v := validation.New(stack, jsii.String("Validate"), &validation.Props{Params: []contract.Param{
		contract.StringParam("note", "a note"),
		contract.ArrayParam("items", "the items to load"),
		contract.JSONParam("payload", "anything"),
		contract.SubsetParam("systems", []string{"velib", "bixi"}),
	}})
	load := skippable.New(stack, jsii.String("Load"), &skippable.Props{Flag: "load", Body: sfn.NewPass(stack, jsii.String("Load data"), nil)})
	sfn.NewStateMachine(stack, jsii.String("Machine"), &sfn.StateMachineProps{DefinitionBody: sfn.DefinitionBody_FromChainable(v.Next(load.End()))})
	m, err := fromstack.Load(stack)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		input, cause string
		// items is what the state after the validation reads, for a
		// valid input.
		items []any
	}{
		{input: `{}`, items: []any{}},
		{input: `{"note": "re-run after the outage", "items": [1, {"a": 2}], "payload": {"x": [null]}}`, items: []any{1.0, map[string]any{"a": 2.0}}},
		{input: `{"items": [[]]}`, items: []any{[]any{}}},
		{input: `{"payload": null, "systems": ["bixi"]}`, items: []any{}},
		{input: `{"note": 3}`, cause: "note must be a string, got a number"},
		{input: `{"note": null}`, cause: "note must be a string, got null"},
		{input: `{"items": {"a": 1}}`, cause: "items must be a list, got an object"},
		{input: `{"items": "a"}`, cause: `items must be a list, got "a"`},
		{input: `{"systems": ["velib", "nope"]}`, cause: `systems lists "nope", not one of velib, bixi`},
		{input: `{"item": []}`, cause: `unknown key(s) "item"; valid flags are load (plus optional note, items, payload, systems and Comment)`},
	}
	for _, tt := range tests {
		got, err := m.Run(tt.input, time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatalf("%s: %v", tt.input, err)
		}
		if tt.cause != "" {
			if got.Valid() || !strings.Contains(got.Cause, tt.cause) {
				t.Errorf("%s: got %q %q, want InvalidInput saying %q", tt.input, got.Error, got.Cause, tt.cause)
			}
			continue
		}
		if got.Error != "" {
			t.Errorf("%s: %s: %s", tt.input, got.Error, got.Cause)
			continue
		}
		if items := got.Output.(map[string]any)["items"]; !reflect.DeepEqual(items, tt.items) {
			t.Errorf("%s: items %#v, want %#v", tt.input, items, tt.items)
		}
	}
}

// TestSubsetValues: allowed values are written into the validation's
// JSONata escaped, and a list that would refuse its own default panics.
func TestSubsetValues(t *testing.T) {
	for _, allowed := range [][]string{nil, {}, {"a", "a"}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("SubsetParam(%q) did not panic", allowed)
				}
			}()
			contract.SubsetParam("sys", allowed)
		}()
	}
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Quoted"), nil)
	v := validation.New(stack, jsii.String("Validate"), &validation.Props{Params: []contract.Param{
		contract.SubsetParam("sys", []string{`a"b`, `c\d`}),
	}})
	load := skippable.New(stack, jsii.String("Load"), &skippable.Props{Flag: "load", Body: sfn.NewPass(stack, jsii.String("Load data"), nil)})
	sfn.NewStateMachine(stack, jsii.String("Machine"), &sfn.StateMachineProps{DefinitionBody: sfn.DefinitionBody_FromChainable(v.Next(load.End()))})
	m, err := fromstack.Load(stack)
	if err != nil {
		t.Fatal(err)
	}
	for input, cause := range map[string]string{
		`{"sys": ["a\"b"]}`: "",
		`{}`:                "",
		`{"sys": ["x"]}`:    `sys lists "x", not one of a"b, c\d`,
	} {
		got, err := m.Run(input, time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC))
		if err != nil || got.Cause != cause {
			t.Errorf("%s: %v %s %q, want cause %q", input, err, got.Error, got.Cause, cause)
		}
	}
}

// TestProblemsExpressionTakenEarly: taking the expression before the
// chain is complete must not freeze the validation's flags.
func TestProblemsExpressionTakenEarly(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Early"), nil)
	v := validation.New(stack, jsii.String("Validate"), nil)
	a := skippable.New(stack, jsii.String("A"), &skippable.Props{Flag: "load", Body: sfn.NewPass(stack, jsii.String("Load"), nil)})
	b := skippable.New(stack, jsii.String("B"), &skippable.Props{Flag: "publish", Body: sfn.NewPass(stack, jsii.String("Publish"), nil)})
	chain := v.Next(a)
	early := v.ProblemsExpression()
	chain.Next(b.End())
	sfn.NewStateMachine(stack, jsii.String("Machine"), &sfn.StateMachineProps{DefinitionBody: sfn.DefinitionBody_FromChainable(chain)})
	m, err := fromstack.Load(stack)
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.Run(`{"publish": false}`, time.Now())
	if err != nil || got.Error != "" {
		t.Errorf(`{"publish": false}: %v %s %s`, err, got.Error, got.Cause)
	}
	if !strings.Contains(early, `"load"`) || strings.Contains(early, `"publish"`) {
		t.Errorf("the early expression should hold the flags chained so far, load only")
	}
}
