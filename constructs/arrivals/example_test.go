package arrivals_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/constructs/arrivals"
)

// Files copied under drop/<system>/dt=<day>/ start one run of the
// pipeline per burst, five quiet minutes after its last file, with the
// burst's day folders in the run's input.
func Example() {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Pipeline"), nil)
	pipeline := sfn.NewStateMachine(stack, jsii.String("Pipeline"), &sfn.StateMachineProps{
		DefinitionBody: sfn.DefinitionBody_FromChainable(sfn.NewPass(stack, jsii.String("Work"), nil)),
	})
	a := arrivals.New(stack, jsii.String("Arrivals"), &arrivals.Props{
		Bucket:       awss3.NewBucket(stack, jsii.String("Data"), nil),
		Prefix:       "drop/",
		Target:       pipeline,
		Quiet:        awscdk.Duration_Minutes(jsii.Number(5)),
		Folders:      3, // drop/<system>/dt=<day>/
		InputKey:     "folders",
		Input:        map[string]any{"ingest": false},
		Name:         "pipeline-arrivals",
		RunPrefix:    "drop-",
		Key:          awskms.NewKey(stack, jsii.String("Key"), nil),
		LogGroupName: "/aws/vendedlogs/states/pipeline-arrivals",
		Timeout:      awscdk.Duration_Hours(jsii.Number(6)),
	})
	fmt.Println(a.AlarmName)
	tpl := assertions.Template_FromStack(stack, nil)
	for _, r := range *tpl.FindResources(jsii.String("AWS::Events::Rule"), nil) {
		fmt.Println((*r)["Properties"].(map[string]any)["EventPattern"].(map[string]any)["detail"].(map[string]any)["object"])
	}
	// Output:
	// pipeline-arrivals-undelivered
	// map[key:[map[prefix:drop/] map[prefix:drop%2F]]]
}
