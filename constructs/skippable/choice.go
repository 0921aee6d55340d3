package skippable

import (
	"fmt"
	"sync"

	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
)

// guardChoice is the guard's Choice state. It hooks into the moment CDK
// adds it to a state machine's graph, so that a second guard of the same
// flag in one graph fails with both guards named, not only with CDK's
// "State with name 'Run <flag>?' occurs in both …".
type guardChoice struct {
	sfn.Choice
	flag string
	path string
}

func newGuardChoice(scope constructs.Construct, name *string, flag string, props *sfn.ChoiceProps) *guardChoice {
	c := &guardChoice{flag: flag, path: *scope.Node().Path()}
	sfn.NewChoice_Override(c, scope, name, props)
	return c
}

// boundGuards records, for each graph, the path of the guard of each flag
// bound to it. A graph is a state machine's (or one of its branches'),
// and lives as long as the app, like the constructs.
var boundGuards = struct {
	sync.Mutex
	byGraph map[sfn.StateGraph]map[string]string
}{byGraph: map[sfn.StateGraph]map[string]string{}}

// WhenBoundToGraph registers the state with graph, as a State does,
// after checking that no other guard of its flag is there.
func (c *guardChoice) WhenBoundToGraph(graph sfn.StateGraph) {
	boundGuards.Lock()
	guards := boundGuards.byGraph[graph]
	if guards == nil {
		guards = map[string]string{}
		boundGuards.byGraph[graph] = guards
	}
	other, dup := guards[c.flag]
	if !dup {
		guards[c.flag] = c.path
	}
	boundGuards.Unlock()
	if dup && other != c.path {
		panic(fmt.Errorf("skippable: flag %q is guarded twice in one state machine, by %s and by %s: give one of them another flag", c.flag, other, c.path))
	}
	graph.RegisterState(c)
}
