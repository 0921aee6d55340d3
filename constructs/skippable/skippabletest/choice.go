package skippabletest

import (
	"fmt"
	"strings"
)

// rule evaluates a JSONPath Choice rule: And, Or, Not, or a Variable with
// one comparison. As in Step Functions, a comparison other than IsPresent
// on a path that does not resolve is a runtime error.
func (s *step) rule(rule map[string]any, input any) (bool, error) {
	for _, op := range []string{"And", "Or"} {
		list, ok := rule[op].([]any)
		if !ok {
			continue
		}
		for _, r := range list {
			sub, _ := r.(map[string]any)
			got, err := s.rule(sub, input)
			if err != nil {
				return false, err
			}
			if got == (op == "Or") {
				return got, nil
			}
		}
		return op == "And", nil
	}
	if not, ok := rule["Not"].(map[string]any); ok {
		got, err := s.rule(not, input)
		return !got, err
	}
	variable, _ := rule["Variable"].(string)
	src := input
	if strings.HasPrefix(variable, "$$") {
		variable, src = "$"+variable[2:], s.ctx
	}
	v, found, err := s.lookup(variable, src)
	if err != nil {
		return false, err
	}
	if str, ok := v.(string); ok && strings.HasPrefix(str, UnknownPrefix) {
		return false, &UndecidedError{State: s.name, Reason: fmt.Sprintf("a rule reads %s, which holds a task's result", rule["Variable"])}
	}
	if want, ok := rule["IsPresent"].(bool); ok {
		return found == want, nil
	}
	if !found {
		return false, &failure{"States.Runtime", fmt.Sprintf("Invalid path '%s': the Choice state %q could not find it in its input", rule["Variable"], s.name)}
	}
	for op, want := range rule {
		if op == "Variable" || op == "Next" || op == "Comment" || op == "Output" {
			continue
		}
		if target, isPath := strings.CutSuffix(op, "Path"); isPath && !strings.HasPrefix(op, "Is") {
			got, err := s.path(fmt.Sprint(want), input)
			if err != nil {
				return false, err
			}
			op, want = target, got
		}
		return s.compare(op, v, want)
	}
	return false, fmt.Errorf("skippabletest: state %q: a Choice rule without a comparison", s.name)
}

// compare applies one comparison operator.
func (s *step) compare(op string, v, want any) (bool, error) {
	switch op {
	case "IsNull":
		return (v == nil) == want, nil
	case "IsBoolean":
		_, ok := v.(bool)
		return ok == want, nil
	case "IsString":
		_, ok := v.(string)
		return ok == want, nil
	case "IsNumeric":
		_, ok := v.(float64)
		return ok == want, nil
	case "BooleanEquals":
		b, ok := v.(bool)
		return ok && b == want, nil
	case "StringEquals":
		str, ok := v.(string)
		return ok && str == want, nil
	}
	n, isNum := v.(float64)
	w, wantNum := want.(float64)
	if strings.HasPrefix(op, "Numeric") && (!isNum || !wantNum) {
		return false, nil
	}
	switch op {
	case "NumericEquals":
		return n == w, nil
	case "NumericLessThan":
		return n < w, nil
	case "NumericLessThanEquals":
		return n <= w, nil
	case "NumericGreaterThan":
		return n > w, nil
	case "NumericGreaterThanEquals":
		return n >= w, nil
	}
	return false, &UndecidedError{State: s.name, Reason: fmt.Sprintf("the comparison %s is not supported", op)}
}
