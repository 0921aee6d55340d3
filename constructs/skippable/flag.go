package skippable

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/constructs/skippable/contract"
)

// register records flag on c after checking the name. It panics, as CDK
// constructors do, so that the mistake stops the synth with the flag's name
// in the message. The names a state machine declares as parameters are
// checked by its validation.
func register(c constructs.Construct, flag string) {
	if err := contract.CheckFlag(flag); err != nil {
		panic(err)
	}
	c.Node().AddMetadata(jsii.String(contract.GuardMetadata), flag, nil)
}
