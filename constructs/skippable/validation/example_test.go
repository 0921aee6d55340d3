package validation_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/constructs/skippable"
	"github.com/partialruns/velib-pipeline/constructs/skippable/contract"
	"github.com/partialruns/velib-pipeline/constructs/skippable/validation"
)

// A validation accepts the flags of the guards chained after it, found
// when the state machine is synthesized, plus the parameters it declares.
func Example() {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Pipeline"), nil)
	v := validation.New(stack, jsii.String("Validate"), &validation.Props{
		Params: []contract.Param{contract.DateParam("process_date")},
	})
	load := skippable.New(stack, jsii.String("Load"), &skippable.Props{Flag: "load", Body: sfn.NewPass(stack, jsii.String("Load data"), nil)})
	publish := skippable.New(stack, jsii.String("Publish"), &skippable.Props{Flag: "publish", Body: sfn.NewPass(stack, jsii.String("Publish data"), nil)})
	sfn.NewStateMachine(stack, jsii.String("Machine"), &sfn.StateMachineProps{
		DefinitionBody: sfn.DefinitionBody_FromChainable(v.Next(load).Next(publish.End())),
	})
	fmt.Println("accepts:", v.Flags())
	// Output:
	// accepts: [load publish]
}
