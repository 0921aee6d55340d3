package skippable

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/partialruns/velib-pipeline/constructs/skippable/contract"
	"github.com/partialruns/velib-pipeline/constructs/skippable/render"
)

// machineCheck fails the synth for a guard that its state machine would
// run wrongly: a JSONPath guard in a JSONata state machine (which AWS
// refuses at deploy), or a guard in a state machine that does not start
// with its validation (a misspelt flag would then run everything). A
// guard knows its state machine only once the definition is rendered, so
// the check reads every state machine of the stack that holds the
// guard's state.
type machineCheck struct {
	s           *Skippable
	unvalidated bool
}

func (c *machineCheck) Validate() *[]*string {
	var problems []*string
	add := func(format string, args ...any) {
		msg := fmt.Sprintf("skippable: flag %q (guard %s): ", c.s.flag, *c.s.Node().Path()) + fmt.Sprintf(format, args...)
		problems = append(problems, &msg)
	}
	name := contract.GuardName(c.s.flag)
	for _, m := range stackMachines(c.s) {
		state, ok := m.find(name)
		if !ok {
			continue
		}
		if m.QueryLanguage == "JSONata" && state["QueryLanguage"] == nil && state["Choices"] != nil && !c.s.jsonata {
			add("state machine %s is JSONata, the guard JSONPath, which AWS refuses: set Props.QueryLanguage to sfn.QueryLanguage_JSONATA", m.path)
		}
		if m.StartAt != contract.ValidateName && !c.unvalidated {
			add("state machine %s starts with %q, not with a validation, so a misspelt flag would run everything: "+
				"start it with validation.New, or set Props.Unvalidated to accept that", m.path, m.StartAt)
		}
	}
	return &problems
}

// renderedMachine is a state machine definition as synthesized.
type renderedMachine struct {
	path          string
	StartAt       string                    `json:"StartAt"`
	States        map[string]map[string]any `json:"States"`
	QueryLanguage string                    `json:"QueryLanguage"`
}

// find looks for a state by name, in nested branches and Map processors
// too.
func (m renderedMachine) find(name string) (map[string]any, bool) {
	return findState(m.States, name)
}

func findState(states map[string]map[string]any, name string) (map[string]any, bool) {
	if st, ok := states[name]; ok {
		return st, true
	}
	for _, st := range states {
		if found, ok := render.Nested(st)[name]; ok {
			return found, true
		}
	}
	return nil, false
}

// stackMachines renders the definition of every state machine in c's
// stack, each reference in it (a function's ARN, say) a placeholder, as
// render.Flatten writes them.
func stackMachines(c constructs.IConstruct) []renderedMachine {
	stack := awscdk.Stack_Of(c)
	var out []renderedMachine
	for _, n := range *stack.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		cfn, ok := n.(sfn.CfnStateMachine)
		if !ok || cfn.DefinitionString() == nil {
			continue
		}
		text, err := render.Flatten(stack.Resolve(cfn.DefinitionString()))
		if err != nil {
			continue // a definition with references render cannot stand in for
		}
		m := renderedMachine{path: strings.TrimSuffix(*n.Node().Path(), "/Resource")}
		if json.Unmarshal([]byte(text), &m) == nil {
			out = append(out, m)
		}
	}
	return out
}
