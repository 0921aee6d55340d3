package render

import (
	"fmt"
	"strings"

	"github.com/partialruns/velib-pipeline/constructs/skippable/contract"
)

// RunPath is the JSONPath of the record of flag's outcome.
func RunPath(flag string) string { return "$." + contract.RunsKey + "." + flag }

// RecordOutputs is a JSONata Output that adds record (a JSONata object
// expression) to the state's runs under flag. The state inside a Map
// iteration may be anything; only an object can carry a record, so any
// other value passes through unchanged.
func RecordOutputs(flag, record string) string {
	return `{% $type($states.input) = "object" ? $merge([$states.input, {"` + contract.RunsKey + `": $merge([` +
		`$exists($states.input.` + contract.RunsKey + `) ? $states.input.` + contract.RunsKey + ` : {}, ` +
		`{"` + flag + `": ` + record + `}])}]) : $states.input %}`
}

// Status is a JSONata object expression for a record with status only.
func Status(status string) string { return `{"status": "` + status + `"}` }

// A Parallel hands each branch a copy of the state and returns the list of
// what the branches made of it, so the records written in one branch are
// missing from the others. A fold Parallel puts them back together: the
// state after it is the first branch's, with the runs of every branch
// merged. No flag is listed: a record appears only once its guard is
// reached, so a flag has a record in at most one branch, besides the ones
// every branch inherited unchanged.

// FoldSelector is a JSONPath fold Parallel's ResultSelector, for a Parallel
// with n branches: the first branch's state, and the merged runs, which
// the Pass named FoldName moves into it.
func FoldSelector(n int) map[string]any {
	merged := "$[0]." + contract.RunsKey
	for i := 1; i < n; i++ {
		merged = fmt.Sprintf("States.JsonMerge(%s, $[%d].%s, false)", merged, i, contract.RunsKey)
	}
	return map[string]any{foldState + ".$": "$[0]", contract.RunsKey + ".$": merged}
}

// foldState is the key of FoldSelector that holds the first branch's state.
const foldState = "state"

// FoldPass configures the Pass that follows a JSONPath fold Parallel: it
// puts the merged runs into the first branch's state and keeps only that.
var FoldPass = struct{ InputPath, ResultPath, OutputPath string }{
	InputPath:  "$." + contract.RunsKey,
	ResultPath: "$." + foldState + "." + contract.RunsKey,
	OutputPath: "$." + foldState,
}

// FoldName is the name of the Pass that completes the fold of the
// JSONPath Parallel named parallel.
func FoldName(parallel string) string { return parallel + foldSuffix }

const foldSuffix = ": merge records"

// FoldOutputs is a JSONata fold Parallel's Output: one state does it all.
const FoldOutputs = `{% $merge([$states.result[0], {"` + contract.RunsKey + `": $merge($states.result.` + contract.RunsKey + `)}]) %}`

// IsFold reports whether a rendered Parallel folds its branches' records:
// a JSONPath one with the selector for its number of branches, or a
// JSONata one with FoldOutputs.
func IsFold(state map[string]any) bool {
	branches, _ := state["Branches"].([]any)
	if state["Type"] != "Parallel" || len(branches) == 0 {
		return false
	}
	if out, ok := state["Output"]; ok {
		return out == FoldOutputs
	}
	sel, _ := state["ResultSelector"].(map[string]any)
	want := FoldSelector(len(branches))
	if len(sel) != len(want) {
		return false
	}
	for k, v := range want {
		if sel[k] != v {
			return false
		}
	}
	_, rp := state["ResultPath"]
	return !rp || state["ResultPath"] == "$"
}

// IsFoldPass reports whether a rendered state is the Pass that completes a
// JSONPath fold: named by FoldName and configured as FoldPass.
func IsFoldPass(name string, state map[string]any) bool {
	return strings.HasSuffix(name, foldSuffix) && state["Type"] == "Pass" &&
		state["InputPath"] == FoldPass.InputPath && state["ResultPath"] == FoldPass.ResultPath && state["OutputPath"] == FoldPass.OutputPath
}

// GuardMetadata is the type of the construct-tree metadata entry in which a
// guard records its flag, so that a validation can find the guards of its
// state machine. Keeping the registry in the tree (rather than in a Go
// variable) scopes it to the app being synthesized.
const GuardMetadata = "skippable:flag"
