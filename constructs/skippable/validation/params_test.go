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
