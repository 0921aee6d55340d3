package validation

import (
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/constructs/skippable/contract"
)

// registered lists, in construct-tree order, the flag of every guard in the
// app that c belongs to.
func registered(c constructs.IConstruct) []string {
	var flags []string
	for _, n := range *c.Node().Root().Node().FindAll(constructs.ConstructOrder_PREORDER) {
		for _, entry := range *n.Node().Metadata() {
			if *entry.Type == contract.GuardMetadata {
				flags = append(flags, entry.Data.(string))
			}
		}
	}
	return flags
}

// reachableFlags lists the flags whose guards can run after start, in
// construct-tree order: those reachable through transitions, error handlers
// included, and those inside the branches of reachable Parallel and Map
// states. A guard is known by its state name, which Step Functions keeps
// unique within a state machine, so guards of other state machines that
// reuse a flag do not count.
func reachableFlags(scope constructs.IConstruct, start sfn.State) []string {
	names := map[string]bool{}
	for _, st := range *sfn.State_FindReachableStates(start, &sfn.FindStateOptions{IncludeErrorHandlers: jsii.Bool(true)}) {
		names[*st.StateId()] = true
		collectNested(*st.ToStateJson(sfn.QueryLanguage_JSON_PATH), names)
	}
	var flags []string
	seen := map[string]bool{}
	for _, f := range registered(scope) {
		if names[contract.GuardName(f)] && !seen[f] {
			seen[f] = true
			flags = append(flags, f)
		}
	}
	return flags
}

// collectNested adds the names of the states nested in a rendered Parallel
// or Map state.
func collectNested(state map[string]any, names map[string]bool) {
	var graphs []any
	if branches, ok := state["Branches"].([]any); ok {
		graphs = append(graphs, branches...)
	}
	for _, key := range []string{"ItemProcessor", "Iterator"} {
		if g, ok := state[key]; ok {
			graphs = append(graphs, g)
		}
	}
	for _, g := range graphs {
		graph, _ := g.(map[string]any)
		states, _ := graph["States"].(map[string]any)
		for name, s := range states {
			names[name] = true
			if nested, ok := s.(map[string]any); ok {
				collectNested(nested, names)
			}
		}
	}
}
