package validation

import (
	"maps"

	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/constructs/skippable/contract"
	"github.com/partialruns/velib-pipeline/constructs/skippable/render"
)

// treeGuard is a guard of the app: its flag and its construct path.
type treeGuard struct{ flag, path string }

// treeGuards lists, in construct-tree order, every guard of the app that
// c belongs to, as their metadata records them.
func treeGuards(c constructs.IConstruct) []treeGuard {
	var guards []treeGuard
	for _, n := range *c.Node().Root().Node().FindAll(constructs.ConstructOrder_PREORDER) {
		for _, entry := range *n.Node().Metadata() {
			if *entry.Type == render.GuardMetadata {
				guards = append(guards, treeGuard{entry.Data.(string), *n.Node().Path()})
			}
		}
	}
	return guards
}

// pathsOf maps each flag of guards to its guard's construct path, or to ""
// when guards of several state machines share it.
func pathsOf(guards []treeGuard) map[string]string {
	paths := map[string]string{}
	for _, g := range guards {
		if _, twice := paths[g.flag]; twice {
			paths[g.flag] = ""
		} else {
			paths[g.flag] = g.path
		}
	}
	return paths
}

// reachableFlags lists the flags whose guards can run after start, in
// construct-tree order: those reachable through transitions, error handlers
// included, and those inside the branches of reachable Parallel and Map
// states. A guard is known by its state name, which Step Functions keeps
// unique within a state machine, so guards of other state machines that
// reuse a flag do not count.
func reachableFlags(scope constructs.IConstruct, start sfn.State) []string {
	return guardsIn(treeGuards(scope), renderedStates(start))
}

// guardsIn lists, in construct-tree order, the flags of guards among
// states.
func guardsIn(guards []treeGuard, states map[string]map[string]any) []string {
	var flags []string
	seen := map[string]bool{}
	for _, g := range guards {
		if _, ok := states[contract.GuardName(g.flag)]; ok && !seen[g.flag] {
			seen[g.flag] = true
			flags = append(flags, g.flag)
		}
	}
	return flags
}

// renderedStates renders every state that can run after start, by name:
// those reachable through transitions, error handlers included, and those
// nested in their Parallel branches and Map iterations.
func renderedStates(start sfn.State) map[string]map[string]any {
	states := map[string]map[string]any{}
	for _, st := range *sfn.State_FindReachableStates(start, &sfn.FindStateOptions{IncludeErrorHandlers: jsii.Bool(true)}) {
		rendered := *st.ToStateJson(sfn.QueryLanguage_JSON_PATH)
		states[*st.StateId()] = rendered
		maps.Copy(states, render.Nested(rendered))
	}
	return states
}
