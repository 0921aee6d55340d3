package aslrun

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/partialruns/velib-pipeline/constructs/skippable/render"
)

// Where aws-local-stepfunctions 3.0.0 (the only version the registry
// serves) reads a definition otherwise than Step Functions does, Rewrite
// changes the definition so that it means on the interpreter what it means
// on AWS. Each rule is a function below; docs/testing.md lists every
// difference found, with those that need no rewrite.

// Rewrite returns definition as aws-local-stepfunctions must be given it:
// negated type tests spelt with Not (see negatedTests) and every timer
// what AWS makes it (see awsTimeouts).
func Rewrite(definition []byte) ([]byte, error) {
	var def map[string]any
	if err := json.Unmarshal(definition, &def); err != nil {
		return nil, fmt.Errorf("aslrun: definition: %w", err)
	}
	awsTimeouts(def)
	eachState(def, func(state map[string]any) {
		if rules, ok := state["Choices"].([]any); ok {
			for i, r := range rules {
				if rule, ok := r.(map[string]any); ok {
					rules[i] = negatedTests(rule)
				}
			}
		}
	})
	return json.Marshal(def)
}

// eachState calls f on every state of graph, those in Parallel branches and
// Map iterations included.
func eachState(graph map[string]any, f func(state map[string]any)) {
	states, _ := graph["States"].(map[string]any)
	for _, s := range states {
		state, ok := s.(map[string]any)
		if !ok {
			continue
		}
		f(state)
		for _, nested := range render.NestedGraphs(state) {
			eachState(nested, f)
		}
	}
}

// negatedTests works around a bug of the interpreter: a Choice rule such as
// {"Variable": "$.x", "IsPresent": false} never matches, so the next rule
// reads the missing path and the run dies with States.Runtime. Every
// {"Variable": v, "IsX": false} becomes {"Not": {"Variable": v, "IsX": true}},
// which means the same on AWS, at any depth of And, Or and Not; Next and
// Comment stay on the rule.
func negatedTests(rule map[string]any) map[string]any {
	for _, op := range []string{"And", "Or"} {
		if list, ok := rule[op].([]any); ok {
			for i, r := range list {
				if inner, ok := r.(map[string]any); ok {
					list[i] = negatedTests(inner)
				}
			}
		}
	}
	if inner, ok := rule["Not"].(map[string]any); ok {
		rule["Not"] = negatedTests(inner)
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

const (
	// maxTimerSeconds is the longest timer Node holds: setTimeout takes at
	// most 2^31-1 ms and fires a longer one after 1 ms, so a timeout
	// written as AWS's 99,999,999 s would end every task at once.
	maxTimerSeconds = (1<<31 - 1) / 1000
	// standardExecutionSeconds is how long AWS lets a Standard execution
	// run when its machine sets no TimeoutSeconds: one year.
	standardExecutionSeconds = 365 * 24 * 60 * 60
)

// awsTimeouts gives every Task state that sets neither TimeoutSeconds nor
// TimeoutSecondsPath the time AWS gives it. The interpreter applies the
// States Language specification's default of 60 s; AWS's is 99,999,999 s,
// so on AWS such a task is bounded by the execution's own timeout alone
// (the Glue tasks here rely on it: their job run's Timeout ends them). The
// nearest a Node timer can hold is the machine's TimeoutSeconds, or a
// Standard execution's year without one, capped at maxTimerSeconds. A
// state's own timeout is kept, capped likewise, and so is the machine's.
func awsTimeouts(def map[string]any) {
	limit := float64(standardExecutionSeconds)
	if t, ok := def["TimeoutSeconds"].(float64); ok {
		limit = t
	}
	limit = min(limit, maxTimerSeconds)
	capTimer(def, "TimeoutSeconds")
	eachState(def, func(state map[string]any) {
		if state["Type"] != "Task" {
			return
		}
		_, seconds := state["TimeoutSeconds"]
		_, path := state["TimeoutSecondsPath"]
		if !seconds && !path {
			state["TimeoutSeconds"] = limit
		}
		capTimer(state, "TimeoutSeconds")
	})
}

// capTimer lowers a number of seconds at key to what a Node timer holds.
// A JSONata expression in its place is left as it is.
func capTimer(m map[string]any, key string) {
	if t, ok := m[key].(float64); ok && t > maxTimerSeconds {
		m[key] = float64(maxTimerSeconds)
	}
}
