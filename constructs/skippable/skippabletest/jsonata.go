package skippabletest

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	jsonatago "github.com/xiatechs/jsonata-go"
)

// states is JSONata's $states for a state: its input, the context object
// and, once the work is done, its result.
func (s *step) states(input, result any) map[string]any {
	st := map[string]any{"input": input, "context": s.ctx}
	if result != nil {
		st["result"] = result
	}
	return st
}

// template evaluates a JSONata field: a string "{% expression %}", or an
// object or array whose strings may be such expressions.
func (s *step) template(v any, states map[string]any) (any, error) {
	switch t := v.(type) {
	case string:
		expr, ok := unwrap(t)
		if !ok {
			return t, nil
		}
		out, err := evaluate(expr, states)
		if errors.Is(err, errUndefined) {
			return nil, &failure{"States.QueryEvaluationError", fmt.Sprintf("an expression of state %q has no value", s.name)}
		}
		if err != nil {
			return nil, &failure{"States.QueryEvaluationError", fmt.Sprintf("state %q: %v", s.name, err)}
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			got, err := s.template(e, states)
			if err != nil {
				return nil, err
			}
			out[k] = got
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			got, err := s.template(e, states)
			if err != nil {
				return nil, err
			}
			out[i] = got
		}
		return out, nil
	}
	return v, nil
}

// unwrap takes the expression out of "{% … %}".
func unwrap(s string) (string, bool) {
	inner, ok := strings.CutPrefix(strings.TrimSpace(s), "{%")
	if !ok {
		return "", false
	}
	inner, ok = strings.CutSuffix(inner, "%}")
	return inner, ok
}

var errUndefined = errors.New("undefined")

// evaluate runs a JSONata expression with $states bound and no context
// item, as Step Functions does. The result has the shapes JSON decoding
// gives: float64, []any, map[string]any.
func evaluate(src string, states map[string]any) (any, error) {
	expr, err := jsonatago.Compile(src)
	if err != nil {
		return nil, err
	}
	if err := expr.RegisterExts(extensions); err != nil {
		return nil, err
	}
	if err := expr.RegisterVars(map[string]any{"states": withNulls(states)}); err != nil {
		return nil, err
	}
	v, err := expr.Eval(nil)
	if errors.Is(err, jsonatago.ErrUndefined) {
		return nil, errUndefined
	}
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("the result is not JSON: %w", err)
	}
	var out any
	return out, json.Unmarshal(b, &out)
}

// jsonNull is how jsonata-go's own null literal is typed. A plain nil it
// reads as nothing, so a key set to null in the input would vanish from
// an object built from it, where Step Functions keeps it.
var jsonNull *any

// withNulls is v with every JSON null made jsonata-go's null.
func withNulls(v any) any {
	switch t := v.(type) {
	case nil:
		return jsonNull
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = withNulls(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = withNulls(e)
		}
		return out
	}
	return v
}

// Problems evaluates a validation's problems expression (what
// validation.Validation.ProblemsExpression returns during synthesis) on
// input (JSON-shaped: what encoding/json decodes) for an execution
// started at start, and returns what the InvalidInput cause would list:
// nothing when the input is valid. It serves checks at synth, e.g. of an
// input stored in a schedule, where a mistake would otherwise surface
// only when the schedule fires.
func Problems(expression string, input any, start time.Time) ([]string, error) {
	x := &execution{start: start.UTC(), input: input}
	out, err := evaluate(expression, map[string]any{"input": input, "context": x.context(input, nil)})
	if err != nil {
		return nil, fmt.Errorf("skippabletest: checking an input: %w", err)
	}
	var problems []string
	list, _ := out.([]any)
	for _, p := range list {
		problems = append(problems, fmt.Sprint(p))
	}
	return problems, nil
}
