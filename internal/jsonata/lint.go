package jsonata

import (
	_ "embed"
	"fmt"
)

//go:embed lint.js
var lintScript string

// Finding is a construct in an expression that some implementation refuses
// or reads differently.
type Finding struct {
	Where string `json:"where"`
	// Rule names the construct: top-level-field, lone-dollar,
	// double-dollar, eval, date-picture, or syntax.
	Rule string `json:"rule"`
	// Position is the character offset jsonata reports, near the end of
	// the offending token.
	Position int    `json:"position"`
	Detail   string `json:"detail"`
}

func (f Finding) String() string {
	return fmt.Sprintf("%s (at %d): %s: %s", f.Where, f.Position, f.Rule, f.Detail)
}

// Lint parses every expression with jsonata-js 2.0.6 and reports each
// non-portable construct; an empty result means all of them are portable.
func Lint(exprs []Expression) ([]Finding, error) {
	if len(exprs) == 0 {
		return nil, nil
	}
	var findings []Finding
	if err := runNode(lintScript, exprs, &findings); err != nil {
		return nil, err
	}
	return findings, nil
}
