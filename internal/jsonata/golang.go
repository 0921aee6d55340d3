package jsonata

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/partialruns/velib-pipeline/constructs/skippable/skippabletest"
	jsonatago "github.com/xiatechs/jsonata-go"
	"github.com/xiatechs/jsonata-go/jtypes"
)

// undefined is evalCompiled's error for an expression that produced no
// value.
var undefined = errors.New("jsonata: undefined")

// evalCompiled evaluates expr with jsonata-go, in this process, with
// $states bound to states and no context item, as Step Functions
// evaluates. The result is what JSON would carry: numbers as float64,
// arrays as []any, objects as map[string]any.
func evalCompiled(expr *jsonatago.Expr, states map[string]any) (any, error) {
	if err := expr.RegisterVars(map[string]any{"states": states}); err != nil {
		return nil, fmt.Errorf("jsonata-go: %w", err)
	}
	v, err := expr.Eval(nil)
	if errors.Is(err, jsonatago.ErrUndefined) {
		return nil, undefined
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
		if compileErrs[i] == nil {
			// jsonata-go's own $encodeUrlComponent is Go's url.QueryEscape;
			// the test kit's is JSONata's, and the definition is held to it.
			compileErrs[i] = compiled[i].RegisterExts(map[string]jsonatago.Extension{"encodeUrlComponent": {
				Func: skippabletest.EncodeURIComponent, UndefinedHandler: jtypes.ArgUndefined(0),
			}})
		}
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
			case errors.Is(err, undefined):
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
