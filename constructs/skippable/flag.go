package skippable

import (
	"fmt"
	"regexp"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// metadataType marks the construct-tree metadata entry in which a guard
// registers its flag. Keeping the registry in the tree (rather than in a Go
// variable) means it is scoped to the app being synthesized and shows up in
// the cloud assembly for other tooling.
const metadataType = "skippable:flag"

// maxFlagLength keeps "Run <flag>?" within Step Functions' 80-character limit
// on state names.
const maxFlagLength = 75

// flagPattern accepts names that are safe both as a JSON key and as a
// dot-notation JSONPath segment, so "$.<flag>" always means what it says.
var flagPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// reservedKeys are input keys with a meaning of their own; a flag of the same
// name would be read two ways.
var reservedKeys = map[string]string{
	CommentKey: "the Step Functions console pre-fills it",
	DateKey:    "it selects the date partition to process",
	RunsKey:    "the guards record their outcomes under it",
}

// CheckFlag reports whether name can be used as a flag, and why not.
func CheckFlag(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("skippable: empty flag name")
	case len(name) > maxFlagLength:
		return fmt.Errorf("skippable: flag %q is %d characters long; the limit is %d so that the state name \"Run <flag>?\" fits in 80", name, len(name), maxFlagLength)
	case !flagPattern.MatchString(name):
		return fmt.Errorf("skippable: flag %q is not valid: use a letter followed by letters, digits or underscores", name)
	}
	if why, ok := reservedKeys[name]; ok {
		return fmt.Errorf("skippable: flag %q is reserved: %s", name, why)
	}
	return nil
}

// Flags lists, in construct-tree order, the flags of every [Skippable]
// defined under scope. Pass a stack to get the flags a state machine in that
// stack can use.
func Flags(scope constructs.IConstruct) []string {
	var flags []string
	for _, c := range *scope.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		for _, entry := range *c.Node().Metadata() {
			if *entry.Type == metadataType {
				flags = append(flags, entry.Data.(string))
			}
		}
	}
	return flags
}

// register records flag on c after checking that the name is valid and that
// no other guard in the same stack uses it. It panics, as CDK constructors
// do, so that the mistake stops the synth with the flag's name in the message.
func register(c constructs.Construct, flag string) {
	if err := CheckFlag(flag); err != nil {
		panic(err)
	}
	stack := awscdk.Stack_Of(c)
	for _, existing := range Flags(stack) {
		if existing == flag {
			panic(fmt.Errorf("skippable: flag %q is used twice in stack %s; each flag must guard exactly one task", flag, *stack.Node().Path()))
		}
	}
	c.Node().AddMetadata(jsii.String(metadataType), flag, nil)
}
