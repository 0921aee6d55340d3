package skippable_test

import (
	"encoding/json"
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/constructs/skippable"
	"github.com/partialruns/velib-pipeline/constructs/skippable/contract"
	"github.com/partialruns/velib-pipeline/constructs/skippable/validation"
)

// A two-step pipeline in which either step can be switched off at start
// time, e.g. with the execution input {"load": false}. Pass states stand in
// for real tasks.
func Example() {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Pipeline"), nil)

	load := skippable.New(stack, jsii.String("Load"), &skippable.Props{
		Flag: "load",
		Body: sfn.NewPass(stack, jsii.String("Load data"), nil),
	})
	publish := skippable.New(stack, jsii.String("Publish"), &skippable.Props{
		Flag: "publish",
		Body: sfn.NewPass(stack, jsii.String("Publish data"), nil),
	})
	// The validation accepts exactly the flags of the guards chained after it.
	validate := validation.New(stack, jsii.String("Validate"), nil)

	sfn.NewStateMachine(stack, jsii.String("Machine"), &sfn.StateMachineProps{
		DefinitionBody: sfn.DefinitionBody_FromChainable(validate.Next(load).Next(publish.End())),
	})

	fmt.Println("flags:", validate.Flags())
	for _, name := range []string{contract.ValidateName, "Run load?", "Run publish?"} {
		st := definition(stack).States[name]
		fmt.Printf("%s -> ", name)
		for _, rule := range st["Choices"].([]any) {
			fmt.Printf("%v | ", rule.(map[string]any)["Next"])
		}
		fmt.Println("otherwise", st["Default"])
	}
	// Output:
	// flags: [load publish]
	// Validate input -> Run load? | otherwise Invalid input
	// Run load? -> Load data | Load data | otherwise Run publish?
	// Run publish? -> Publish data | Publish data | otherwise Skip publish
}

// asl is a state machine definition decoded for the examples.
type asl struct {
	StartAt string                    `json:"StartAt"`
	States  map[string]map[string]any `json:"States"`
}

// definition decodes the one state machine definition in stack.
func definition(stack awscdk.Stack) asl {
	var def asl
	if err := json.Unmarshal(definitionJSON(stack), &def); err != nil {
		panic(err)
	}
	return def
}

// definitionJSON is the one state machine definition in stack. The states
// used in these tests hold no tokens, so the definition is a plain string.
func definitionJSON(stack awscdk.Stack) []byte {
	machines := assertions.Template_FromStack(stack, nil).FindResources(jsii.String("AWS::StepFunctions::StateMachine"), nil)
	for _, m := range *machines {
		return []byte((*m)["Properties"].(map[string]any)["DefinitionString"].(string))
	}
	panic("no state machine in the stack")
}
