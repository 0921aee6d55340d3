package render

import "github.com/partialruns/velib-pipeline/constructs/skippable/contract"

// FlagCondition is the JSONata condition of a JSONata guard's one rule:
// true unless the execution input sets flag to false. A missing flag reads
// as nothing, and nothing = false is false, so absent runs.
func FlagCondition(flag string) string {
	return contract.FlagValue(flag)
}
