package skippable

import (
	"strconv"

	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/constructs/skippable/contract"
)

// RunsSelector returns a Parallel state's ResultSelector that folds the
// outcome records of its branches back into one map, to be stored with
// ResultPath "$.runs". branches lists, per branch in order, the flags guarded
// inside it; every other flag is taken from the first branch, whose copy of
// the state is as the Parallel received it.
func RunsSelector(flags []string, branches ...[]string) map[string]interface{} {
	owner := make(map[string]int)
	for i, inBranch := range branches {
		for _, f := range inBranch {
			owner[f] = i
		}
	}
	sel := make(map[string]interface{}, len(flags))
	for _, f := range flags {
		sel[f] = sfn.JsonPath_ObjectAt(jsii.String("$[" + strconv.Itoa(owner[f]) + "]." + contract.RunsKey + "." + f))
	}
	return sel
}
