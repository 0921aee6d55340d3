package render

import "regexp"

// Guard is a guard Choice found in a rendered definition.
type Guard struct {
	// Flag is the input key it tests.
	Flag string
	// Task is the first state of the guarded body.
	Task string
	// Skip is where the skip path leads.
	Skip string
}

// flagPath matches the path a JSONPath guard tests: FlagPath, or $.flag as
// guards rendered before they read the execution input did.
var flagPath = regexp.MustCompile(`^(?:\$\$\.Execution\.Input|\$)\.([A-Za-z][A-Za-z0-9_]*)$`)

// flagCondition matches FlagCondition.
var flagCondition = regexp.MustCompile(`^\{% \$not\(\$states\.context\.Execution\.Input\.([A-Za-z][A-Za-z0-9_]*) = false\) %\}$`)

// Recognise reports whether state (one entry of a definition's States) is a
// guard the construct rendered, by its shape rather than its name: a Choice
// with a default whose rules all lead to one state, each running the body
// when the same flag is absent or true (JSONPath), or whose one rule is
// FlagCondition (JSONata).
func Recognise(state map[string]any) (Guard, bool) {
	rules, _ := state["Choices"].([]any)
	skip, _ := state["Default"].(string)
	if state["Type"] != "Choice" || len(rules) == 0 || skip == "" {
		return Guard{}, false
	}
	var g Guard
	for _, r := range rules {
		rule, _ := r.(map[string]any)
		variable, next, ok := runRule(rule)
		m := flagPath.FindStringSubmatch(variable)
		if condition, isJSONata := rule["Condition"].(string); isJSONata {
			m = flagCondition.FindStringSubmatch(condition)
			next, _ = rule["Next"].(string)
			ok = next != "" && len(rules) == 1
		}
		if !ok || m == nil || (g.Flag != "" && m[1] != g.Flag) || (g.Task != "" && next != g.Task) {
			return Guard{}, false
		}
		g.Flag, g.Task = m[1], next
	}
	if g.Task == skip {
		return Guard{}, false
	}
	g.Skip = skip
	return g, true
}

// runRule reads a rule that runs the body: {"Variable": v, "IsPresent":
// false}, its {"Not": {"Variable": v, "IsPresent": true}} form, or
// {"Variable": v, "BooleanEquals": true}.
func runRule(rule map[string]any) (variable, next string, ok bool) {
	next, _ = rule["Next"].(string)
	test := rule
	negated := false
	if inner, isNot := rule["Not"].(map[string]any); isNot {
		test, negated = inner, true
	}
	variable, _ = test["Variable"].(string)
	switch {
	case !negated && test["IsPresent"] == false, negated && test["IsPresent"] == true:
		return variable, next, next != ""
	case !negated && test["BooleanEquals"] == true:
		return variable, next, next != ""
	}
	return "", "", false
}
