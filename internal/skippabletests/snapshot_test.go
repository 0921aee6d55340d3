package skippabletests

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/constructs/skippable"
	"github.com/partialruns/velib-pipeline/constructs/skippable/parallel"
	"github.com/partialruns/velib-pipeline/constructs/skippable/validation"
	"github.com/partialruns/velib-pipeline/internal/snapshot"
)

// TestSnapshot keeps the ASL the construct renders under review: a
// validation, a guard in sequence and a guard ending a Parallel branch.
func TestSnapshot(t *testing.T) {
	def := synthASL(t, func(s awscdk.Stack) sfn.IChainable {
		load := skippable.New(s, jsii.String("Load"), &skippable.Props{Flag: "load", Body: pass(s, "Load data")})
		publish := skippable.New(s, jsii.String("Publish"), &skippable.Props{Flag: "publish", Body: pass(s, "Publish data")})
		v := validation.New(s, jsii.String("Validate"), dated)
		stage := parallel.New(s, jsii.String("Stage"), &parallel.Props{Branches: []sfn.IChainable{publish.End()}})
		return v.Next(load).Next(stage)
	})
	got, err := snapshot.JSON(def)
	if err != nil {
		t.Fatal(err)
	}
	snapshot.Check(t, "testdata/guarded.asl.json", got)
}
