package skippabletest

import (
	"regexp"
	"strings"

	"github.com/partialruns/velib-pipeline/constructs/skippable/contract"
	"github.com/partialruns/velib-pipeline/constructs/skippable/render"
)

// A JSONata expression over a value the kit does not know (a task's
// result) could compare, filter or count it, and its result would then be
// a guess. Only the construct's own outputs, which copy the state and add
// to it, are evaluated over such a value; any other expression makes the
// whole output unknown.

// copying matches the construct's own Outputs: a guard's record, a fold,
// and a task's result kept beside the state.
var copying = []*regexp.Regexp{
	pattern(render.RecordOutputs("FLAG", "RECORD"), map[string]string{"FLAG": `[A-Za-z][A-Za-z0-9_]*`, "RECORD": `\{"status": "[a-z]+"\}`}),
	pattern(render.FoldOutputs, nil),
	pattern(contract.ResultUnder("KEY"), map[string]string{"KEY": `[A-Za-z][A-Za-z0-9_]*`}),
}

// pattern is a regular expression matching text, with each placeholder
// standing for what its expression matches.
func pattern(text string, placeholders map[string]string) *regexp.Regexp {
	re := regexp.QuoteMeta(text)
	for name, sub := range placeholders {
		re = strings.ReplaceAll(re, name, sub)
	}
	return regexp.MustCompile("^" + re + "$")
}

// copies reports whether v, a JSONata field, is one of the construct's
// own Outputs.
func copies(v any) bool {
	text, ok := v.(string)
	if !ok {
		return false
	}
	for _, re := range copying {
		if re.MatchString(text) {
			return true
		}
	}
	return false
}
