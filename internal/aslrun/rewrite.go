package aslrun

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/partialruns/velib-pipeline/constructs/skippable/contract"
)

// RewriteNegatedTests works around a bug of aws-local-stepfunctions 3.0.0,
// the only version the registry serves: a Choice rule such as
// {"Variable": "$.x", "IsPresent": false} never matches, so the next rule
// reads the missing path and the run dies with States.Runtime. Every
// {"Variable": v, "IsX": false} becomes {"Not": {"Variable": v, "IsX": true}},
// which means the same on AWS, at any depth of And, Or and Not; Next and
// Comment stay on the rule.
func RewriteNegatedTests(definition []byte) ([]byte, error) {
	var def map[string]any
	if err := json.Unmarshal(definition, &def); err != nil {
		return nil, fmt.Errorf("aslrun: definition: %w", err)
	}
	rewriteStates(def)
	return json.Marshal(def)
}

func rewriteStates(def map[string]any) {
	states, _ := def["States"].(map[string]any)
	for _, s := range states {
		state, _ := s.(map[string]any)
		if rules, ok := state["Choices"].([]any); ok {
			for i, r := range rules {
				if rule, ok := r.(map[string]any); ok {
					rules[i] = rewriteRule(rule)
				}
			}
		}
		for _, graph := range contract.NestedGraphs(state) {
			rewriteStates(graph)
		}
	}
}

func rewriteRule(rule map[string]any) map[string]any {
	for _, op := range []string{"And", "Or"} {
		if list, ok := rule[op].([]any); ok {
			for i, r := range list {
				if inner, ok := r.(map[string]any); ok {
					list[i] = rewriteRule(inner)
				}
			}
		}
	}
	if inner, ok := rule["Not"].(map[string]any); ok {
		rule["Not"] = rewriteRule(inner)
	}
	for key, v := range rule {
		if !strings.HasPrefix(key, "Is") || v != false {
			continue
		}
		test := map[string]any{"Variable": rule["Variable"], key: true}
		out := map[string]any{"Not": test}
		for _, keep := range []string{"Next", "Comment"} {
			if v, ok := rule[keep]; ok {
				out[keep] = v
			}
		}
		return out
	}
	return rule
}
