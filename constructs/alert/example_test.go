package alert_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/constructs/alert"
)

// E-mail whoever is on call when an execution fails, times out or is
// aborted.
func Example() {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Pipeline"), nil)
	machine := sfn.NewStateMachine(stack, jsii.String("Machine"), &sfn.StateMachineProps{
		DefinitionBody: sfn.DefinitionBody_FromChainable(sfn.NewPass(stack, jsii.String("Work"), nil)),
	})
	alert.New(stack, jsii.String("Failures"), &alert.Props{
		StateMachine: machine,
		Key:          awskms.NewKey(stack, jsii.String("Key"), nil),
		Email:        "oncall@example.org",
	})
	template := assertions.Template_FromStack(stack, nil)
	for _, m := range *template.FindResources(jsii.String("AWS::Events::Rule"), nil) {
		pattern := (*m)["Properties"].(map[string]any)["EventPattern"].(map[string]any)
		fmt.Println("on:", pattern["detail"].(map[string]any)["status"])
	}
	for _, m := range *template.FindResources(jsii.String("AWS::SNS::Subscription"), nil) {
		props := (*m)["Properties"].(map[string]any)
		fmt.Println("notify:", props["Protocol"], props["Endpoint"])
	}
	// Output:
	// on: [FAILED TIMED_OUT ABORTED]
	// notify: email oncall@example.org
}
