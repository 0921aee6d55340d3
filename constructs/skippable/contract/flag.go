package contract

import (
	"fmt"
	"regexp"
)

// Input keys with a fixed meaning besides the flags and the parameters a
// state machine declares.
const (
	// CommentKey is ignored: the Step Functions console pre-fills
	// {"Comment": "Insert your JSON here"}.
	CommentKey = "Comment"
	// RunsKey is where outcomes are recorded, one entry per flag.
	RunsKey = "runs"
)

// MaxFlagLength keeps GuardName within Step Functions' 80-character limit
// on state names.
const MaxFlagLength = MaxStateName - len(guardPrefix) - len(guardSuffix)

// flagPattern accepts names that are safe both as a JSON key and as a
// dot-notation JSONPath segment, so "$.<flag>" always means what it says.
var flagPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// reserved are the keys no flag may take, and why.
var reserved = map[string]string{
	CommentKey: "the Step Functions console pre-fills it",
	RunsKey:    "the guards record their outcomes under it",
}

// CheckFlag reports whether name can be used as a flag, and why not.
// params are the other input keys the state machine declares, which a
// flag may not take either.
func CheckFlag(name string, params ...string) error {
	switch {
	case name == "":
		return fmt.Errorf("skippable: empty flag name")
	case len(name) > MaxFlagLength:
		return fmt.Errorf("skippable: flag %q is %d characters long; the limit is %d so that the state name %q fits in %d", name, len(name), MaxFlagLength, GuardName("<flag>"), MaxStateName)
	case !flagPattern.MatchString(name):
		return fmt.Errorf("skippable: flag %q is not valid: use a letter followed by letters, digits or underscores", name)
	}
	if why, ok := reserved[name]; ok {
		return fmt.Errorf("skippable: flag %q is reserved: %s", name, why)
	}
	for _, p := range params {
		if p == name {
			return fmt.Errorf("skippable: flag %q is reserved: the state machine declares it as an input parameter", name)
		}
	}
	return nil
}

// CheckParams reports whether params can be declared together: each name
// a letter followed by letters, digits or underscores (it is written into
// the validation's JSONata), none reserved, none twice.
func CheckParams(params []Param) error {
	seen := map[string]bool{}
	for _, p := range params {
		switch {
		case !flagPattern.MatchString(p.Name):
			return fmt.Errorf("skippable: parameter %q is not valid: use a letter followed by letters, digits or underscores", p.Name)
		case seen[p.Name]:
			return fmt.Errorf("skippable: parameter %q is declared twice", p.Name)
		}
		if why, ok := reserved[p.Name]; ok {
			return fmt.Errorf("skippable: parameter %q is reserved: %s", p.Name, why)
		}
		seen[p.Name] = true
	}
	return nil
}
