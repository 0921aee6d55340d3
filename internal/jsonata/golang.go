package jsonata

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/partialruns/velib-pipeline/constructs/skippable/skippabletest"
	jsonatago "github.com/xiatechs/jsonata-go"
	"github.com/xiatechs/jsonata-go/jtypes"
)

// Undefined is EvalGo's error for an expression that produced no value.
var Undefined = errors.New("jsonata: undefined")

// EvalGo evaluates src with jsonata-go, in this process, with $states bound
// to states and no context item, as Step Functions evaluates. The result is
// what JSON would carry: numbers as float64, arrays as []any, objects as
// map[string]any. It lets Go code apply a definition's own expression
// without a Node or Python process, e.g. to check stored inputs at synth.
func EvalGo(src string, states map[string]any) (any, error) {
	expr, err := jsonatago.Compile(src)
	if err != nil {
		return nil, fmt.Errorf("jsonata-go: %w", err)
	}
	return evalCompiled(expr, states)
}

// evalCompiled is EvalGo for an expression already compiled.
func evalCompiled(expr *jsonatago.Expr, states map[string]any) (any, error) {
	// jsonata-go's own $encodeUrlComponent is Go's url.QueryEscape; the
	// test kit's is JSONata's, and the definition is held to it.
	if err := expr.RegisterExts(map[string]jsonatago.Extension{"encodeUrlComponent": {
		Func: skippabletest.EncodeURIComponent, UndefinedHandler: jtypes.ArgUndefined(0),
	}}); err != nil {
		return nil, fmt.Errorf("jsonata-go: %w", err)
	}
	if err := expr.RegisterVars(map[string]any{"states": states}); err != nil {
		return nil, fmt.Errorf("jsonata-go: %w", err)
	}
	v, err := expr.Eval(nil)
	if errors.Is(err, jsonatago.ErrUndefined) {
		return nil, Undefined
	}
	if err != nil {
		return nil, fmt.Errorf("jsonata-go: %w", err)
	}
	// Through JSON, so the value has the shapes the other engines' have.
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("jsonata-go: the result is not JSON: %w", err)
	}
	var out any
	return out, json.Unmarshal(b, &out)
}

// evaluateGo is Evaluate for the Go engine: each expression compiled once,
// then evaluated for every case. One that does not compile fails every
// case, as on the other engines.
func evaluateGo(exprs []Expression, cases []Case) ([][]Outcome, error) {
	compiled := make([]*jsonatago.Expr, len(exprs))
	compileErrs := make([]error, len(exprs))
	for i, x := range exprs {
		compiled[i], compileErrs[i] = jsonatago.Compile(x.Source)
	}
	out := make([][]Outcome, len(cases))
	for c, cs := range cases {
		var input any
		if len(cs.Input) > 0 {
			if err := json.Unmarshal(cs.Input, &input); err != nil {
				return nil, fmt.Errorf("jsonata-go: case %d: %w", c, err)
			}
		}
		states := map[string]any{"input": input, "context": cs.Context}
		for i := range exprs {
			err := compileErrs[i]
			var v any
			if err == nil {
				v, err = evalCompiled(compiled[i], states)
			} else {
				err = fmt.Errorf("jsonata-go: %w", err)
			}
			switch {
			case errors.Is(err, Undefined):
				out[c] = append(out[c], Outcome{})
			case err != nil:
				msg := err.Error()
				out[c] = append(out[c], Outcome{Error: &msg})
			default:
				out[c] = append(out[c], Outcome{Value: v, defined: true})
			}
		}
	}
	return out, nil
}
