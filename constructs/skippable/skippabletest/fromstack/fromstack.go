// Package fromstack loads a state machine of a CDK stack into
// skippabletest, for tests written against the stack rather than its
// synthesized template.
package fromstack

import (
	"encoding/json"
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/partialruns/velib-pipeline/constructs/skippable/render"
	"github.com/partialruns/velib-pipeline/constructs/skippable/skippabletest"
)

// Load synthesizes stack and loads its one state machine. An error the
// synthesis finds (e.g. a guard in a state machine that does not start
// with its validation) is returned, not panicked. Mistakes the constructs
// catch when they are created or chained (a bad flag name, a flag
// guarded twice) panic in the code that builds the stack, before Load,
// as CDK constructors do.
func Load(stack awscdk.Stack) (*skippabletest.Machine, error) {
	return load(stack, "")
}

// LoadMachine synthesizes stack and loads machine, one of its state
// machines.
func LoadMachine(stack awscdk.Stack, machine sfn.StateMachine) (*skippabletest.Machine, error) {
	return load(stack, *stack.GetLogicalId(machine.Node().DefaultChild().(awscdk.CfnElement)))
}

func load(stack awscdk.Stack, logicalID string) (m *skippabletest.Machine, err error) {
	defer func() {
		// jsii reports the synth's errors as panics.
		if r := recover(); r != nil {
			err = fmt.Errorf("fromstack: synthesizing %s: %v", *stack.Node().Path(), r)
		}
	}()
	var template map[string]any
	b, err := json.Marshal(assertions.Template_FromStack(stack, nil).ToJSON())
	if err == nil {
		err = json.Unmarshal(b, &template)
	}
	if err != nil {
		return nil, fmt.Errorf("fromstack: reading the template of %s: %w", *stack.Node().Path(), err)
	}
	var definition string
	if logicalID == "" {
		definition, err = render.FromTemplate(template)
	} else {
		var all map[string]string
		if all, err = render.AllFromTemplate(template); err == nil {
			var ok bool
			if definition, ok = all[logicalID]; !ok {
				err = fmt.Errorf("no state machine %s in the stack", logicalID)
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("fromstack: %s: %w", *stack.Node().Path(), err)
	}
	return skippabletest.Load([]byte(definition))
}
