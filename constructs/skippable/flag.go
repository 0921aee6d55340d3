package skippable

import (
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/constructs/skippable/contract"
	"github.com/partialruns/velib-pipeline/constructs/skippable/render"
)

// register records flag on c after checking the name. It panics, as CDK
// constructors do, so that the mistake stops the synth with the flag's
// name and the guard's construct path in the message's first line. The
// names a state machine declares as parameters are checked by its
// validation.
func register(c constructs.Construct, flag string) {
	if err := contract.CheckFlag(flag); err != nil {
		panic(fmt.Errorf("%w (guard %s)", err, *c.Node().Path()))
	}
	c.Node().AddMetadata(jsii.String(render.GuardMetadata), flag, nil)
}
