package skippable

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/constructs/skippable/contract"
)

// ValidationProps configure a [Validation].
type ValidationProps struct {
	// Flags the input may set. Default: every flag registered by a
	// [Skippable] in the same stack when NewValidation is called, so create
	// the guards first.
	Flags []string
}

// Validation is the state machine's first state: a JSONata Choice that lets
// valid input through, with the processing date filled in and every flag's
// outcome initialised, and sends anything else to a Fail state with error
// [contract.ErrorInvalidInput] and a cause that names each offending key. The rest of
// the state machine can stay JSONPath.
type Validation struct {
	sfn.StateMachineFragment
	flags  []string
	choice sfn.Choice
	wired  bool
}

// NewValidation builds the validation states. It panics if there are no
// flags to accept or a flag name is invalid.
func NewValidation(scope constructs.Construct, id *string, props *ValidationProps) *Validation {
	v := &Validation{}
	sfn.NewStateMachineFragment_Override(v, scope, id)
	if props != nil && props.Flags != nil {
		v.flags = append([]string(nil), props.Flags...)
	} else {
		v.flags = Flags(awscdk.Stack_Of(scope))
	}
	if len(v.flags) == 0 {
		panic(fmt.Errorf("skippable: %s: no flags to validate; create the guards before the validation", *id))
	}
	for _, f := range v.flags {
		if err := contract.CheckFlag(f, DateKey); err != nil {
			panic(err)
		}
	}

	fail := sfn.Fail_Jsonata(v, jsii.String(contract.InvalidName), &sfn.FailJsonataProps{
		Comment: jsii.String("The input has an unknown key, a non-boolean flag or a " + DateKey + " that is not a date from " + contract.MinDate + " to the start date."),
		Error:   jsii.String(contract.ErrorInvalidInput),
		Cause:   jsii.String(jsonata(`$join(` + problemsExpr(v.flags) + `, "; ")`)),
	})
	v.choice = sfn.Choice_Jsonata(v, jsii.String(contract.ValidateName), &sfn.ChoiceJsonataProps{
		Comment: jsii.String("Accepts only known flags with boolean values, an optional " + DateKey + " (YYYY-MM-DD, from " + contract.MinDate + " to the start date) and " + contract.CommentKey + "."),
	})
	v.choice.Otherwise(fail)
	return v
}

// Flags returns the flags this validation accepts, in order.
func (v *Validation) Flags() []string { return append([]string(nil), v.flags...) }

// StartState is the validation Choice. It implements [sfn.IChainable].
func (v *Validation) StartState() sfn.State { return v.choice }

// EndStates is the valid path, connected by a following Next. It implements
// [sfn.IChainable].
func (v *Validation) EndStates() *[]sfn.INextable {
	return &[]sfn.INextable{&validPath{v}}
}

// validPath adds the "input is valid" rule when the next state is chained.
// The valid path is a rule rather than the Choice's default so that its
// Output (which fills in the date and outcome records) is attached to the
// rule that is taken, with no reliance on how a default applies Output.
type validPath struct{ v *Validation }

func (p *validPath) Next(next sfn.IChainable) sfn.Chain {
	if p.v.wired {
		panic(fmt.Errorf("skippable: the validation already continues to a state; chain it once"))
	}
	p.v.wired = true
	p.v.choice.When(
		sfn.Condition_Jsonata(jsii.String(jsonata(`$count(`+problemsExpr(p.v.flags)+`) = 0`))),
		next,
		&sfn.ChoiceTransitionOptions{
			Comment: jsii.String("input is valid"),
			Outputs: jsonata(outputExpr(p.v.flags)),
		},
	)
	return sfn.Chain_Start(next)
}
