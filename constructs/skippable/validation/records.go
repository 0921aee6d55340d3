package validation

import (
	"fmt"
	"maps"
	"slices"

	"github.com/partialruns/velib-pipeline/constructs/skippable/contract"
)

// recordProblems lists the states that would lose the runs record the
// validation starts and the guards fill in, each named: a state whose
// result replaces the whole state or the record, one that keeps only part
// of the state, and a Parallel that does not fold its branches' records
// back. JSONata states manage their own output and are left alone.
func recordProblems(states map[string]map[string]any, flags []string) []string {
	var problems []string
	for _, name := range slices.Sorted(maps.Keys(states)) {
		st := states[name]
		if st["QueryLanguage"] == "JSONata" {
			continue
		}
		if p := recordProblem(st, flags); p != "" {
			problems = append(problems, fmt.Sprintf("skippable: state %q %s", name, p))
		}
	}
	return problems
}

func recordProblem(st map[string]any, flags []string) string {
	if out, ok := st["OutputPath"]; ok && out != "$" {
		return "keeps only part of the state (OutputPath), dropping the runs record: leave OutputPath unset"
	}
	if !hasResult(st) {
		return ""
	}
	rp, set := st["ResultPath"]
	runs := "$." + contract.RunsKey
	switch {
	case st["Type"] == "Parallel" && guardsInside(st):
		if rp != runs || !folds(st, flags) {
			return "runs guards in its branches but does not fold their runs records back: set ResultSelector to skippable.RunsSelector(...) and ResultPath to " + runs
		}
	case !set || rp == "$":
		return "replaces the whole state with its result, and the runs record with it: set ResultPath (contract.RunPath(flag) for a guarded task, or JsonPath.DISCARD)"
	case rp == runs:
		return "replaces the runs record with its result: set ResultPath to contract.RunPath(flag)"
	}
	return ""
}

// hasResult reports whether a state's result is written into the state:
// tasks, Parallels and Maps always, a Pass only with a Result or Parameters.
func hasResult(st map[string]any) bool {
	switch st["Type"] {
	case "Task", "Parallel", "Map":
		return true
	case "Pass":
		_, result := st["Result"]
		_, params := st["Parameters"]
		return result || params
	}
	return false
}

// guardsInside reports whether a rendered Parallel or Map holds a guard.
func guardsInside(st map[string]any) bool {
	inside := map[string]map[string]any{}
	collectNested(st, inside)
	for _, s := range inside {
		if _, ok := contract.Recognise(s); ok {
			return true
		}
	}
	return false
}

// folds reports whether a Parallel's ResultSelector has an entry for every
// flag, as skippable.RunsSelector writes it.
func folds(st map[string]any, flags []string) bool {
	sel, _ := st["ResultSelector"].(map[string]any)
	for _, f := range flags {
		if _, ok := sel[f+".$"]; !ok {
			return false
		}
	}
	return len(flags) > 0
}
