package golambda_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/constructs/golambda"
)

// The repository's ingest Lambda, built for arm64 on this machine (no
// Docker), its asset named by a hash of what the binary is built from.
func ExampleNewFunction() {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Ingest"), nil)
	golambda.NewFunction(stack, jsii.String("LoadData"), &golambda.Props{
		Entry:         "./lambda/loaddata",
		FunctionProps: awslambda.FunctionProps{MemorySize: jsii.Number(256)},
	})
	for _, m := range *assertions.Template_FromStack(stack, nil).FindResources(jsii.String("AWS::Lambda::Function"), nil) {
		props := (*m)["Properties"].(map[string]any)
		fmt.Println(props["Runtime"], props["Architectures"], props["Handler"], props["MemorySize"])
	}
	// Output:
	// provided.al2023 [arm64] bootstrap 256
}
