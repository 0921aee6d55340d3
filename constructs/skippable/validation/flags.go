package validation

import (
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/constructs/skippable/contract"
	"github.com/partialruns/velib-pipeline/constructs/skippable/render"
)

// registered lists, in construct-tree order, the flag of every guard in the
// app that c belongs to.
func registered(c constructs.IConstruct) []string {
	var flags []string
	for _, n := range *c.Node().Root().Node().FindAll(constructs.ConstructOrder_PREORDER) {
		for _, entry := range *n.Node().Metadata() {
			if *entry.Type == render.GuardMetadata {
				flags = append(flags, entry.Data.(string))
			}
		}
	}
	return flags
}

// guardPaths maps each flag of the app's guards to the construct path of
// its guard, or to "" when guards of several state machines share it.
func guardPaths(c constructs.IConstruct) map[string]string {
	paths := map[string]string{}
	for _, n := range *c.Node().Root().Node().FindAll(constructs.ConstructOrder_PREORDER) {
		for _, entry := range *n.Node().Metadata() {
			if *entry.Type != render.GuardMetadata {
				continue
			}
			flag := entry.Data.(string)
			if _, twice := paths[flag]; twice {
				paths[flag] = ""
			} else {
				paths[flag] = *n.Node().Path()
			}
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
	return guardsIn(scope, renderedStates(start))
}

// guardsIn lists, in construct-tree order, the flags of the app's guards
// among states.
func guardsIn(scope constructs.IConstruct, states map[string]map[string]any) []string {
	var flags []string
	seen := map[string]bool{}
	for _, f := range registered(scope) {
		if _, ok := states[contract.GuardName(f)]; ok && !seen[f] {
			seen[f] = true
			flags = append(flags, f)
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
		collectNested(rendered, states)
	}
	return states
}

// collectNested adds the states nested in a rendered Parallel or Map.
func collectNested(state map[string]any, into map[string]map[string]any) {
	for _, graph := range render.NestedGraphs(state) {
		nested, _ := graph["States"].(map[string]any)
		for name, s := range nested {
			if st, ok := s.(map[string]any); ok {
				into[name] = st
				collectNested(st, into)
			}
		}
	}
}
