package parallel_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/constructs/skippable"
	"github.com/partialruns/velib-pipeline/constructs/skippable/parallel"
	"github.com/partialruns/velib-pipeline/constructs/skippable/validation"
)

// Two tables built side by side, each switchable on its own, e.g. with the
// execution input {"daily": false}.
func Example() {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Pipeline"), nil)
	daily := skippable.New(stack, jsii.String("Daily"), &skippable.Props{Flag: "daily", Body: sfn.NewPass(stack, jsii.String("Build daily"), nil)})
	hourly := skippable.New(stack, jsii.String("Hourly"), &skippable.Props{Flag: "hourly", Body: sfn.NewPass(stack, jsii.String("Build hourly"), nil)})
	tables := parallel.New(stack, jsii.String("Tables"), &parallel.Props{
		Branches: []sfn.IChainable{daily.End(), hourly.End()},
	})
	validate := validation.New(stack, jsii.String("Validate"), nil)
	sfn.NewStateMachine(stack, jsii.String("Machine"), &sfn.StateMachineProps{
		DefinitionBody: sfn.DefinitionBody_FromChainable(validate.Next(tables)),
	})
	fmt.Println("flags:", validate.Flags())
	fmt.Println("states:", *tables.StartState().StateId(), "then", *(*tables.EndStates())[0].(sfn.State).StateId())
	// Output:
	// flags: [daily hourly]
	// states: Tables then Tables: merge records
}
