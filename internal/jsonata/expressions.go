package jsonata

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Expression is one JSONata expression found in a definition.
type Expression struct {
	// Where locates it, e.g. `States["Validate input"].Choices[0].Condition`.
	Where string `json:"where"`
	// Source is the expression without its {% %} delimiters.
	Source string `json:"source"`
}

// Expressions lists every JSONata expression in an Amazon States Language
// definition, at any depth (Parallel branches and Map processors included),
// in a stable order.
func Expressions(definition []byte) ([]Expression, error) {
	var doc any
	if err := json.Unmarshal(definition, &doc); err != nil {
		return nil, fmt.Errorf("jsonata: definition is not JSON: %w", err)
	}
	var out []Expression
	collect(doc, "", &out)
	return out, nil
}

func collect(v any, where string, out *[]Expression) {
	switch v := v.(type) {
	case string:
		if src, ok := Unwrap(v); ok {
			*out = append(*out, Expression{Where: where, Source: src})
		}
	case []any:
		for i, item := range v {
			collect(item, fmt.Sprintf("%s[%d]", where, i), out)
		}
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			collect(v[k], where+field(k), out)
		}
	}
}

// field renders a key as a path segment: .Name when it is a plain word,
// ["Name with spaces"] otherwise.
func field(k string) string {
	for _, r := range k {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return fmt.Sprintf("[%q]", k)
		}
	}
	return "." + k
}

// Unwrap returns the expression inside Step Functions' {% %} delimiters,
// and whether s is such a string.
func Unwrap(s string) (string, bool) {
	if !strings.HasPrefix(s, "{%") || !strings.HasSuffix(s, "%}") || len(s) < 4 {
		return "", false
	}
	return s[2 : len(s)-2], true
}

// Wrap puts expr inside Step Functions' {% %} delimiters, on one line: the
// definition shown in the console stays compact, and asl-validator's
// schema wants a JSONata string on one line. The indentation of a
// multi-line expression is folded, so expr must hold no string literal
// with a newline or a run of spaces.
func Wrap(expr string) string {
	return "{% " + OneLine(expr) + " %}"
}

// OneLine folds expr's white space to single spaces (see Wrap).
func OneLine(expr string) string {
	return strings.Join(strings.Fields(expr), " ")
}
