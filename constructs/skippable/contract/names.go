package contract

// Names of the states the construct adds.
const (
	// ValidateName is the validation Choice that starts the state machine.
	ValidateName = "Validate input"
	// InvalidName is the Fail state an invalid input leads to.
	InvalidName = "Invalid input"
)

// GuardName is the name of the Choice state that guards flag.
func GuardName(flag string) string { return guardPrefix + flag + guardSuffix }

// SkipName is the name of the Pass state that ends a skipped branch.
func SkipName(flag string) string { return "Skip " + flag }

const guardPrefix, guardSuffix = "Run ", "?"

// MaxStateName is Step Functions' limit on the length of a state name.
const MaxStateName = 80

// RecordName is the name of the Pass state that records flag's body as
// ran once the body has finished.
func RecordName(flag string) string { return "Ran " + flag }
