// Package parallel runs skippable guards side by side: a Parallel state
// whose output keeps the "runs" records of every branch, so that nobody
// has to list the flags each branch guards.
package parallel

import (
	"fmt"

	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/constructs/skippable/contract"
	"github.com/partialruns/velib-pipeline/constructs/skippable/render"
)

// Props configure a [Parallel].
type Props struct {
	// Branches run side by side, each on a copy of the state. Each must
	// keep the state an object that carries the runs record, as guards
	// do; the synth names any state that would drop it.
	Branches []sfn.IChainable
	// Comment describes the Parallel state in the console. Default: none.
	Comment string
	// QueryLanguage is the top-level query language of the state machine:
	// in a JSONata one the fold is the Parallel's Output; in a JSONPath one
	// it takes a Pass after the Parallel. Default: JSONPath.
	QueryLanguage sfn.QueryLanguage
}

// Parallel is a Parallel state named after its id, followed in a JSONPath
// state machine by a Pass named render.FoldName(id). Its output is the
// first branch's, with the runs records of all branches merged. It chains
// like a state.
type Parallel struct {
	sfn.StateMachineFragment
	state sfn.Parallel
	end   sfn.INextable
}

// New builds the Parallel. It panics when there are no branches, or when
// the name of the Pass would exceed Step Functions' limit.
func New(scope constructs.Construct, id *string, props *Props) *Parallel {
	if props == nil || len(props.Branches) == 0 {
		panic(fmt.Errorf("skippable/parallel: %s: Props.Branches is required", *id))
	}
	if name := render.FoldName(*id); len(name) > contract.MaxStateName {
		panic(fmt.Errorf("skippable/parallel: the id %q is too long: the state %q would exceed %d characters", *id, name, contract.MaxStateName))
	}
	checkBranches(id, props.Branches)
	p := &Parallel{}
	var comment *string
	if props.Comment != "" {
		comment = jsii.String(props.Comment)
	}
	sfn.NewStateMachineFragment_Override(p, scope, id)
	if props.QueryLanguage == sfn.QueryLanguage_JSONATA {
		p.state = sfn.Parallel_Jsonata(p, id, &sfn.ParallelJsonataProps{
			Comment: comment,
			Outputs: jsii.String(render.FoldOutputs),
		})
		p.end = p.state
	} else {
		sel := render.FoldSelector(len(props.Branches))
		p.state = sfn.NewParallel(p, id, &sfn.ParallelProps{Comment: comment, ResultSelector: &sel})
		fold := sfn.NewPass(p, jsii.String(render.FoldName(*id)), &sfn.PassProps{
			Comment:    jsii.String("Puts the branches' merged runs records into the first branch's state."),
			InputPath:  jsii.String(render.FoldPass.InputPath),
			ResultPath: jsii.String(render.FoldPass.ResultPath),
			OutputPath: jsii.String(render.FoldPass.OutputPath),
		})
		p.state.Next(fold)
		p.end = fold
	}
	for _, b := range props.Branches {
		p.state.Branch(b)
	}
	return p
}

// State is the Parallel state, e.g. to add a retry or a catch.
func (p *Parallel) State() sfn.Parallel { return p.state }

// StartState is the Parallel state. It implements [sfn.IChainable].
func (p *Parallel) StartState() sfn.State { return p.state }

// EndStates is the state that a following Next connects: the Pass in a
// JSONPath state machine, the Parallel in a JSONata one. It implements
// [sfn.IChainable].
func (p *Parallel) EndStates() *[]sfn.INextable { return &[]sfn.INextable{p.end} }

// guardFlag is the flag st guards, if st is a guard's Choice: its
// construct, a skippable guard, records its flag.
func guardFlag(st sfn.State) (string, bool) {
	for _, entry := range *st.Node().Scope().Node().Metadata() {
		if flag := fmt.Sprint(entry.Data); *entry.Type == render.GuardMetadata && contract.GuardName(flag) == *st.StateId() {
			return flag, true
		}
	}
	return "", false
}

// checkBranches panics when one flag is guarded in two branches: CDK
// would refuse the state machine for the guard's state name occurring
// twice, naming neither guard; this names both.
func checkBranches(id *string, branches []sfn.IChainable) {
	seen := map[string]string{}
	for i, b := range branches {
		inBranch := map[string]bool{}
		for _, st := range *sfn.State_FindReachableStates(b.StartState(), &sfn.FindStateOptions{IncludeErrorHandlers: jsii.Bool(true)}) {
			flag, ok := guardFlag(st)
			if !ok || inBranch[flag] {
				continue
			}
			inBranch[flag] = true
			path := fmt.Sprintf("%s (branch %d of %s)", *st.Node().Scope().Node().Path(), i+1, *id)
			if other, ok := seen[flag]; ok {
				panic(fmt.Errorf("skippable: flag %q is guarded twice in one state machine, by %s and by %s: give one of them another flag", flag, other, path))
			}
			seen[flag] = path
		}
	}
}
