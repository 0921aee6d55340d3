package validation

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/partialruns/velib-pipeline/constructs/skippable/contract"
	"github.com/partialruns/velib-pipeline/constructs/skippable/render"
)

// recordProblems lists the states that would lose the runs record the
// validation starts and the guards fill in, each named: a state whose
// result replaces the whole state, one that writes into the record, one
// that keeps only part of the state, and a Parallel around guards that is
// not a fold (package parallel). JSONata states other than Parallels
// manage their own output and are left alone.
// A state in a guard's body is named with the guard's flag and construct
// path (guards maps each flag to its path), so the message says where.
func recordProblems(states map[string]map[string]any, guards map[string]string) []string {
	owner := bodyOwners(states)
	var problems []string
	for _, name := range slices.Sorted(maps.Keys(states)) {
		p := recordProblem(name, states[name], guards)
		if p == "" {
			continue
		}
		if flag, ok := owner[name]; ok {
			where := ""
			if guards[flag] != "" {
				where = " (guard " + guards[flag] + ")"
			}
			problems = append(problems, fmt.Sprintf("skippable: flag %q%s: state %q %s", flag, where, name, p))
		} else {
			problems = append(problems, fmt.Sprintf("skippable: state %q %s", name, p))
		}
	}
	return problems
}

// bodyOwners maps each state of a guard's body to the guard's flag: the
// states from the body's first to the Pass that records it as ran.
func bodyOwners(states map[string]map[string]any) map[string]string {
	owner := map[string]string{}
	for _, st := range states {
		g, ok := render.Recognise(st)
		if !ok {
			continue
		}
		end := contract.RecordName(g.Flag)
		todo := []string{g.Task}
		for len(todo) > 0 {
			name := todo[len(todo)-1]
			todo = todo[:len(todo)-1]
			if _, seen := owner[name]; seen || name == end || states[name] == nil {
				continue
			}
			owner[name] = g.Flag
			todo = append(todo, successors(states[name])...)
		}
	}
	return owner
}

// successors lists the states a state can lead to.
func successors(st map[string]any) []string {
	var next []string
	if n, ok := st["Next"].(string); ok {
		next = append(next, n)
	}
	if d, ok := st["Default"].(string); ok {
		next = append(next, d)
	}
	for _, key := range []string{"Choices", "Catch"} {
		list, _ := st[key].([]any)
		for _, r := range list {
			if rule, ok := r.(map[string]any); ok {
				if n, ok := rule["Next"].(string); ok {
					next = append(next, n)
				}
			}
		}
	}
	return next
}

func recordProblem(name string, st map[string]any, guards map[string]string) string {
	if st["Type"] == "Parallel" && guardsInside(st) && !render.IsFold(st) {
		return "runs guards in its branches but drops their runs records: build it with the skippable/parallel package"
	}
	if p := distributedProblem(st, guards); p != "" {
		return p
	}
	if render.IsFold(st) || render.IsFoldPass(name, st) {
		return ""
	}
	if st["QueryLanguage"] == "JSONata" {
		return jsonataProblem(st)
	}
	if out, ok := st["OutputPath"]; ok && out != "$" {
		return "keeps only part of the state (OutputPath), dropping the runs record: leave OutputPath unset"
	}
	raw, set := st["ResultPath"]
	if !hasResult(st) {
		// A Pass without a result of its own still writes its input at
		// its ResultPath.
		if rp, ok := raw.(string); ok && st["Type"] == "Pass" && writesRuns(name, rp) {
			return intoRuns
		}
		return ""
	}
	if set && raw == nil {
		return "" // JsonPath.DISCARD renders as null: the state is kept.
	}
	rp, _ := raw.(string)
	switch {
	case !set || rp == "$":
		return "replaces the whole state with its result, and the runs record with it: set ResultPath to where the result belongs, or JsonPath.DISCARD"
	case writesRuns(name, rp):
		return intoRuns
	}
	return ""
}

var intoRuns = "writes its result into $." + contract.RunsKey + ", which the guards own: set ResultPath elsewhere"

// writesRuns reports whether a state writing at resultPath writes into
// the runs record without being a guard's own record.
func writesRuns(name, resultPath string) bool {
	resultPath = dotted(resultPath)
	runs := "$." + contract.RunsKey
	into := resultPath == runs || strings.HasPrefix(resultPath, runs+".") || strings.HasPrefix(resultPath, runs+"[")
	return into && !isRecordPass(name, resultPath)
}

// dotted writes a path's bracketed names ($['runs'], $["runs"]) with dots.
func dotted(path string) string { return bracketed.ReplaceAllString(path, ".$1$2") }

var bracketed = regexp.MustCompile(`\['([^']*)'\]|\["([^"]*)"\]`)

// isRecordPass reports whether a state writing at resultPath is one a
// guard adds to record its flag's outcome.
func isRecordPass(name, resultPath string) bool {
	flag, ok := strings.CutPrefix(resultPath, "$."+contract.RunsKey+".")
	return ok && (name == contract.RecordName(flag) || name == contract.SkipName(flag))
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
	for _, s := range render.Nested(st) {
		if _, ok := render.Recognise(s); ok {
			return true
		}
	}
	return false
}

// jsonataProblem: a JSONata Task, Map or Parallel without an Output hands
// on its result alone, so the state after it has no runs record (a Map's
// list of item outputs, for one). A Pass or Wait without an Output keeps
// its input.
func jsonataProblem(st map[string]any) string {
	switch st["Type"] {
	case "Task", "Map", "Parallel":
		if _, ok := st["Output"]; !ok {
			return "replaces the whole state with its result, and the runs record with it: set its Output to keep the state, e.g. contract.ResultUnder(\"result\")"
		}
	}
	return ""
}

// distributedProblem: a Distributed Map runs each item as a child
// execution whose input is the item, so a guard inside it reads its flag
// from the item. Each such flag must be passed in the ItemSelector with a
// value that is always there, or a flag set to false would run the step
// in every child. Only JSONata can: a JSONata field that reads an absent
// flag has no value, and a JSONPath one fails the run.
func distributedProblem(st map[string]any, guards map[string]string) string {
	proc, _ := st["ItemProcessor"].(map[string]any)
	cfg, _ := proc["ProcessorConfig"].(map[string]any)
	if st["Type"] != "Map" || cfg["Mode"] != "DISTRIBUTED" {
		return ""
	}
	inside := render.Nested(st)
	sel, _ := st["ItemSelector"].(map[string]any)
	var missing []string
	for _, name := range slices.Sorted(maps.Keys(inside)) {
		g, ok := render.Recognise(inside[name])
		if ok && sel[g.Flag] != contract.FlagValue(g.Flag) {
			missing = append(missing, g.Flag)
		}
	}
	if len(missing) == 0 {
		return ""
	}
	var named []string
	for _, f := range missing {
		if guards[f] != "" {
			named = append(named, fmt.Sprintf("%q (guard %s)", f, guards[f]))
		} else {
			named = append(named, fmt.Sprintf("%q", f))
		}
	}
	f := missing[0]
	return fmt.Sprintf("is a Distributed Map whose child executions would not see the flag(s) %s: "+
		"pass each in the ItemSelector of a JSONata Distributed Map (sfn.DistributedMap_Jsonata), e.g. %q: contract.FlagValue(%q), which is %q",
		strings.Join(named, ", "), f, f, contract.FlagValue(f))
}
