package skippabletest

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/partialruns/velib-pipeline/constructs/skippable/render"
)

// execution is one run of a definition: what it has seen so far.
type execution struct {
	start        time.Time
	input        any
	ran, skipped []string
}

// failure is a Fail state reached, or a runtime error Step Functions
// raises; it ends the execution.
type failure struct{ error, cause string }

func (f *failure) Error() string { return f.error + ": " + f.cause }

// maxTransitions bounds a run, since a definition may loop (e.g. a Choice
// that waits for a task's output, which never changes here).
const maxTransitions = 10000

// context is the context object ($$ in JSONPath, $states.context in
// JSONata) of an execution whose input is input; item is the Map item
// being processed, if any.
func (x *execution) context(input any, item map[string]any) map[string]any {
	ctx := map[string]any{
		"Execution": map[string]any{
			"Id":        "arn:aws:states:us-east-1:123456789012:execution:skippabletest:run",
			"Name":      "run",
			"Input":     input,
			"StartTime": x.start.Format("2006-01-02T15:04:05.000Z"),
		},
		"StateMachine": map[string]any{"Id": "arn:aws:states:us-east-1:123456789012:stateMachine:skippabletest", "Name": "skippabletest"},
	}
	if item != nil {
		ctx["Map"] = map[string]any{"Item": item}
	}
	return ctx
}

// run follows m from its StartAt with state as input and returns the
// output of the state that ends it. lang is the query language inherited
// from the enclosing definition.
func (x *execution) run(m machine, lang string, state any, ctx map[string]any) (any, error) {
	if m.QueryLanguage != "" {
		lang = m.QueryLanguage
	}
	name := m.StartAt
	for steps := 0; ; steps++ {
		if steps > maxTransitions {
			return nil, &UndecidedError{State: name, Reason: fmt.Sprintf("more than %d transitions: the definition loops", maxTransitions)}
		}
		st, ok := m.States[name]
		if !ok {
			return nil, fmt.Errorf("skippabletest: no state named %q", name)
		}
		s := &step{x: x, name: name, def: st, lang: lang, ctx: ctx}
		if l, ok := st["QueryLanguage"].(string); ok {
			s.lang = l
		}
		if _, ok := st["Assign"]; ok {
			return nil, &UndecidedError{State: name, Reason: "variables (Assign) are not supported"}
		}
		out, next, err := s.do(state)
		if err != nil {
			return nil, err
		}
		if next == "" {
			return out, nil
		}
		state, name = out, next
	}
}

// step is one state being run.
type step struct {
	x    *execution
	name string
	def  map[string]any
	lang string
	ctx  map[string]any
}

func (s *step) jsonata() bool { return s.lang == "JSONata" }

// do runs the state on input and returns its output and the next state's
// name ("" when it ends its branch).
func (s *step) do(input any) (any, string, error) {
	next, _ := s.def["Next"].(string)
	switch s.def["Type"] {
	case "Choice":
		return s.choice(input)
	case "Pass":
		out, err := s.pass(input)
		return out, next, err
	case "Task":
		out, err := s.task(input)
		return out, next, err
	case "Wait":
		out, err := s.through(input, nil)
		return out, next, err
	case "Parallel":
		out, err := s.parallel(input)
		return out, next, err
	case "Map":
		out, err := s.mapState(input)
		return out, next, err
	case "Succeed":
		out, err := s.through(input, nil)
		return out, "", err
	case "Fail":
		return nil, "", s.fail(input)
	}
	return nil, "", fmt.Errorf("skippabletest: state %q has unknown type %v", s.name, s.def["Type"])
}

// choice takes the first rule that matches, or the default; a guard's
// decision is recorded under its flag.
func (s *step) choice(input any) (any, string, error) {
	rules, _ := s.def["Choices"].([]any)
	next, output := "", any(nil)
	for _, r := range rules {
		rule, _ := r.(map[string]any)
		ok, err := s.matches(rule, input)
		if err != nil {
			return nil, "", err
		}
		if ok {
			next, _ = rule["Next"].(string)
			output = rule["Output"]
			break
		}
	}
	if next == "" {
		next, _ = s.def["Default"].(string)
		if next == "" {
			return nil, "", &failure{"States.NoChoiceMatched", fmt.Sprintf("no Choice rule of state %q matched, and it has no Default", s.name)}
		}
	}
	if g, ok := render.Recognise(s.def); ok {
		if next == g.Task {
			s.x.ran = appendOnce(s.x.ran, g.Flag)
		} else {
			s.x.skipped = appendOnce(s.x.skipped, g.Flag)
		}
	}
	if !s.jsonata() {
		out, err := s.through(input, nil)
		return out, next, err
	}
	if output == nil {
		output = s.def["Output"]
	}
	if output == nil {
		return input, next, nil
	}
	if unknownIn(input) && !copies(output) {
		return UnknownPrefix + s.name, next, nil
	}
	out, err := s.template(output, s.states(input, nil))
	return out, next, err
}

// matches evaluates one Choice rule.
func (s *step) matches(rule map[string]any, input any) (bool, error) {
	if cond, ok := rule["Condition"]; ok {
		if unknownIn(input) && strings.Contains(fmt.Sprint(cond), "$states.input") {
			return false, &UndecidedError{State: s.name, Reason: "a Condition reads the state, which holds a task's result"}
		}
		v, err := s.template(cond, s.states(input, nil))
		if err != nil {
			return false, err
		}
		b, ok := v.(bool)
		if !ok {
			return false, &failure{"States.QueryEvaluationError", fmt.Sprintf("the Condition of state %q is not a boolean", s.name)}
		}
		return b, nil
	}
	return s.rule(rule, input)
}

// pass is a Pass state: JSONata's Output, or JSONPath's Result placed by
// ResultPath.
func (s *step) pass(input any) (any, error) {
	if s.jsonata() {
		return s.through(input, nil)
	}
	effective, err := s.effective(input, "Parameters")
	if err != nil {
		return nil, err
	}
	result := effective
	if r, ok := s.def["Result"]; ok {
		result = r
	}
	return s.place(input, result)
}

// task stands for a task that succeeded with a result nobody knows.
func (s *step) task(input any) (any, error) {
	result := UnknownPrefix + s.name
	if s.jsonata() {
		if _, ok := s.def["Output"]; !ok {
			return result, nil
		}
		return s.through(input, result)
	}
	if _, err := s.effective(input, "Parameters"); err != nil {
		return nil, err
	}
	return s.selectAndPlace(input, result)
}

// through is the output of a state whose result is result (nil for none):
// JSONata's Output, or JSONPath's InputPath and OutputPath.
func (s *step) through(input, result any) (any, error) {
	if s.jsonata() {
		out, ok := s.def["Output"]
		if !ok {
			return input, nil
		}
		if (unknownIn(input) || unknownIn(result)) && !copies(out) {
			return UnknownPrefix + s.name, nil
		}
		return s.template(out, s.states(input, result))
	}
	effective, err := s.effective(input, "")
	if err != nil {
		return nil, err
	}
	return s.outputPath(effective)
}

// fail ends the execution with the state's error and cause.
func (s *step) fail(input any) error {
	f := &failure{}
	for _, field := range []struct {
		name string
		to   *string
	}{{"Error", &f.error}, {"Cause", &f.cause}} {
		v, ok := s.def[field.name]
		if !ok && !s.jsonata() {
			if p, isPath := s.def[field.name+"Path"].(string); isPath {
				got, err := s.path(p, input)
				if err != nil {
					return err
				}
				v, ok = got, true
			}
		}
		if ok && s.jsonata() {
			var err error
			if v, err = s.template(v, s.states(input, nil)); err != nil {
				return err
			}
		}
		if ok {
			text, isString := v.(string)
			if !isString {
				b, _ := json.Marshal(v)
				text = string(b)
			}
			*field.to = text
		}
	}
	return f
}

// appendOnce appends flag unless list holds it.
func appendOnce(list []string, flag string) []string {
	for _, f := range list {
		if f == flag {
			return list
		}
	}
	return append(list, flag)
}

// unknownIn reports whether v holds a task's unknown result anywhere.
func unknownIn(v any) bool {
	switch t := v.(type) {
	case string:
		return strings.Contains(t, UnknownPrefix)
	case map[string]any:
		for _, e := range t {
			if unknownIn(e) {
				return true
			}
		}
	case []any:
		for _, e := range t {
			if unknownIn(e) {
				return true
			}
		}
	}
	return false
}
