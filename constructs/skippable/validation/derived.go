package validation

import (
	"fmt"
	"slices"

	"github.com/partialruns/velib-pipeline/constructs/skippable/contract"
)

// derivedProblems reports derived values whose names later states could
// not read unambiguously: a name that is not a plain key, that an input key
// (a flag, a parameter, the comment or the records) already takes, or that
// two derived values share.
func derivedProblems(derived []contract.Derived, flags []string, params []contract.Param) []error {
	taken := append(append([]string{contract.CommentKey, contract.RunsKey}, flags...), contract.Names(params)...)
	var errs []error
	for i, d := range derived {
		switch {
		case slices.Contains(taken, d.Name):
			errs = append(errs, fmt.Errorf("skippable: derived value %q takes the name of an input key", d.Name))
		case contract.CheckFlag(d.Name) != nil:
			errs = append(errs, fmt.Errorf("skippable: derived value %q is not valid: use a letter followed by letters, digits or underscores", d.Name))
		case slices.ContainsFunc(derived[:i], func(o contract.Derived) bool { return o.Name == d.Name }):
			errs = append(errs, fmt.Errorf("skippable: derived value %q is declared twice", d.Name))
		case d.Expr == "":
			errs = append(errs, fmt.Errorf("skippable: derived value %q has no expression", d.Name))
		}
	}
	return errs
}
