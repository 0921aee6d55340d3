package skippable

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/constructs/skippable/contract"
)

// metadataType marks the construct-tree metadata entry in which a guard
// registers its flag. Keeping the registry in the tree (rather than in a Go
// variable) means it is scoped to the app being synthesized and shows up in
// the cloud assembly for other tooling.
const metadataType = "skippable:flag"

// Flags lists, in construct-tree order, the flags of every [Skippable]
// defined under scope. Pass a stack to get the flags a state machine in that
// stack can use.
func Flags(scope constructs.IConstruct) []string {
	var flags []string
	for _, c := range *scope.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		for _, entry := range *c.Node().Metadata() {
			if *entry.Type == metadataType {
				flags = append(flags, entry.Data.(string))
			}
		}
	}
	return flags
}

// register records flag on c after checking that the name is valid and that
// no other guard in the same stack uses it. It panics, as CDK constructors
// do, so that the mistake stops the synth with the flag's name in the message.
func register(c constructs.Construct, flag string) {
	if err := contract.CheckFlag(flag, DateKey); err != nil {
		panic(err)
	}
	stack := awscdk.Stack_Of(c)
	for _, existing := range Flags(stack) {
		if existing == flag {
			panic(fmt.Errorf("skippable: flag %q is used twice in stack %s; each flag must guard exactly one task", flag, *stack.Node().Path()))
		}
	}
	c.Node().AddMetadata(jsii.String(metadataType), flag, nil)
}
