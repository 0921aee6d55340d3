package jsonata

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"reflect"
)

var (
	//go:embed eval.js
	evalJS string
	//go:embed eval.py
	evalPy string
)

// Engine is a JSONata implementation.
type Engine string

// The engines the project pins. Step Functions documents JSONata 2.0.6 but
// not which implementation evaluates it, so expressions must mean the same
// on both lineages.
const (
	// JS is jsonata-js 2.0.6, the reference implementation, from npm.
	JS Engine = "jsonata-js"
	// Python is jsonata-python, a port of the Java implementation
	// (jsonata-java, as LocalStack embeds), from PyPI.
	Python Engine = "jsonata-python"
	// Go is jsonata-go (xiatechs' fork of Blues' port of the 1.x line),
	// a Go module, run in process: the validation applies its own
	// expression with it at synth, to stored inputs.
	Go Engine = "jsonata-go"
)

// Engines lists every engine [Differences] compares.
var Engines = []Engine{JS, Python, Go}

// Case is what $states holds for one evaluation.
type Case struct {
	Input   json.RawMessage `json:"input"`
	Context map[string]any  `json:"context"`
}

// Outcome is an expression's result for one case: a value, no value
// (undefined), or an error.
type Outcome struct {
	Value   any     `json:"value"`
	Error   *string `json:"error,omitempty"`
	defined bool
}

// Defined reports whether the expression produced a value (null included).
func (o Outcome) Defined() bool { return o.defined }

// Failed reports whether the evaluation raised an error.
func (o Outcome) Failed() bool { return o.Error != nil }

// UnmarshalJSON records whether a value was present, so that a JSON null
// result is told apart from no result.
func (o *Outcome) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if e, ok := raw["error"]; ok {
		var msg string
		if err := json.Unmarshal(e, &msg); err != nil {
			return err
		}
		o.Error = &msg
	}
	if v, ok := raw["value"]; ok {
		o.defined = true
		return json.Unmarshal(v, &o.Value)
	}
	return nil
}

func (o Outcome) String() string {
	switch {
	case o.Failed():
		return "error: " + *o.Error
	case !o.defined:
		return "undefined"
	}
	b, _ := json.Marshal(o.Value)
	return string(b)
}

// same compares outcomes: equal values (object key order aside), or both
// undefined, or both failed (engines word their errors differently).
func same(a, b Outcome) bool {
	if a.Failed() || b.Failed() {
		return a.Failed() == b.Failed()
	}
	return a.defined == b.defined && reflect.DeepEqual(a.Value, b.Value)
}

// Evaluate runs every expression on engine for every case and returns the
// outcomes, indexed [case][expression].
func Evaluate(engine Engine, exprs []Expression, cases []Case) ([][]Outcome, error) {
	request := map[string]any{"expressions": exprs, "cases": cases}
	var out [][]Outcome
	var err error
	switch engine {
	case JS:
		err = runNode(evalJS, request, &out)
	case Python:
		err = runPython(evalPy, request, &out)
	case Go:
		out, err = evaluateGo(exprs, cases)
	default:
		return nil, fmt.Errorf("jsonata: unknown engine %q", engine)
	}
	if err != nil {
		return nil, err
	}
	if len(out) != len(cases) {
		return nil, fmt.Errorf("jsonata: %s returned %d results for %d cases", engine, len(out), len(cases))
	}
	return out, nil
}

// Difference is a case on which two engines disagree about an expression.
type Difference struct {
	Case       int
	Expression Expression
	Outcomes   map[Engine]Outcome
}

func (d Difference) String() string {
	s := fmt.Sprintf("case %d, %s:", d.Case, d.Expression.Where)
	for _, e := range Engines {
		s += fmt.Sprintf("\n\t%s: %s", e, d.Outcomes[e])
	}
	return s
}

// Differences evaluates on every engine and lists each disagreement. It
// also returns the first engine's outcomes, for assertions on the values.
func Differences(exprs []Expression, cases []Case) ([]Difference, [][]Outcome, error) {
	results := make(map[Engine][][]Outcome, len(Engines))
	for _, e := range Engines {
		r, err := Evaluate(e, exprs, cases)
		if err != nil {
			return nil, nil, err
		}
		results[e] = r
	}
	var diffs []Difference
	first := results[Engines[0]]
	for c := range cases {
		for x, expr := range exprs {
			outcomes := map[Engine]Outcome{}
			agree := true
			for _, e := range Engines {
				outcomes[e] = results[e][c][x]
				agree = agree && same(first[c][x], outcomes[e])
			}
			if !agree {
				diffs = append(diffs, Difference{Case: c, Expression: expr, Outcomes: outcomes})
			}
		}
	}
	return diffs, first, nil
}
