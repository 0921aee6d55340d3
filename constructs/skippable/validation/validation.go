// Package validation is the first state of a state machine built with
// skippable guards: a JSONata Choice that lets valid input through and fails
// anything else with InvalidInput, naming every offending key.
package validation

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/constructs/skippable/contract"
)

// Props configure a [Validation].
type Props struct {
	// Flags the input may set. Default: the flags of the guards that can
	// run after the validation in its state machine, found when the state
	// machine is synthesized, so guards may be created and chained in any
	// order.
	Flags []string
	// Params are the input keys other than the flags that the state
	// machine accepts, each with its check and default, e.g.
	// contract.DateParam("process_date"). Default: none.
	Params []contract.Param
	// Derived are values worked out from valid input and set in the
	// validation's output, for later states to read. Default: none.
	Derived []contract.Derived
}

// Validation is the state machine's first state: a JSONata Choice that lets
// valid input through, with each declared parameter's default filled in and every flag's
// outcome initialised, and sends anything else to a Fail state with error
// [contract.ErrorInvalidInput] and a cause that names each offending key.
// The rest of the state machine can stay JSONPath.
type Validation struct {
	sfn.StateMachineFragment
	explicit []string
	params   []contract.Param
	derived  []contract.Derived
	choice   sfn.Choice
	next     sfn.IChainable
	// synth holds what the synthesis reads, worked out once (see
	// atSynth): rendering the graph crosses into the CDK runtime for every
	// state, and five places read it.
	synth *synthView
}

// synthView is the state machine after the validation as the synthesis
// sees it.
type synthView struct {
	states map[string]map[string]any
	// flags are those the validation accepts: Props.Flags, or guarded.
	flags []string
	// guarded are the flags of the guards among states.
	guarded []string
	// paths maps each flag of the app's guards to its guard's path ("" when
	// several share it), for messages.
	paths map[string]string
}

// New builds the validation states. The synth fails if the
// validation is not chained to a next state, if it finds no flag to accept,
// or if a flag name is invalid.
func New(scope constructs.Construct, id *string, props *Props) *Validation {
	v := &Validation{}
	sfn.NewStateMachineFragment_Override(v, scope, id)
	if props != nil {
		if props.Flags != nil {
			v.explicit = append([]string{}, props.Flags...)
		}
		v.params = append([]contract.Param{}, props.Params...)
		v.derived = append([]contract.Derived{}, props.Derived...)
	}
	fail := sfn.Fail_Jsonata(v, jsii.String(contract.InvalidName), &sfn.FailJsonataProps{
		Comment: jsii.String("The input has an unknown key, a non-boolean flag or a parameter its check refuses."),
		Error:   jsii.String(contract.ErrorInvalidInput),
		Cause:   v.lazy(func(flags []string) string { return `$join(` + problemsExpr(flags, v.params) + `, "; ")` }),
	})
	v.choice = sfn.Choice_Jsonata(v, jsii.String(contract.ValidateName), &sfn.ChoiceJsonataProps{
		Comment: jsii.String(v.comment()),
	})
	v.choice.Otherwise(fail)
	v.Node().AddValidation(&flagsCheck{v})
	return v
}

// comment says in the console what the validation accepts.
func (v *Validation) comment() string {
	s := "Accepts only known flags with boolean values"
	for _, p := range v.params {
		s += ", an optional " + p.Name
		if p.Describe != "" {
			s += " (" + p.Describe + ")"
		}
	}
	return s + " and " + contract.CommentKey + "."
}

// Flags returns the flags this validation accepts, in construct-tree order.
// Unless they were given in [Props], they are known only once
// the state machine is complete: call it during synthesis or after.
func (v *Validation) Flags() []string {
	if v.explicit != nil {
		return append([]string{}, v.explicit...)
	}
	if v.next == nil {
		return nil
	}
	// Not cached: the chain after the validation may still grow.
	return reachableFlags(v, v.next.StartState())
}

// atSynth renders the states after the validation and finds their flags,
// once: it is called only while the app is synthesized (by the lazy
// expressions and the synth check), when the state machine is complete.
func (v *Validation) atSynth() *synthView {
	if v.synth == nil {
		guards := treeGuards(v)
		view := &synthView{flags: v.explicit, paths: pathsOf(guards)}
		if v.next != nil {
			view.states = renderedStates(v.next.StartState())
		}
		view.guarded = guardsIn(guards, view.states)
		if view.flags == nil {
			view.flags = view.guarded
		}
		v.synth = view
	}
	return v.synth
}

// lazy renders a JSONata expression from the flags when the state machine
// is synthesized, when every guard after the validation exists. The
// delimiters stay outside the token, where CDK checks for them.
func (v *Validation) lazy(expr func(flags []string) string) *string {
	return jsii.String(jsonata(*awscdk.Lazy_String(&producer{func() string { return expr(v.atSynth().flags) }}, nil)))
}

// producer adapts a Go function to CDK's lazy string values.
type producer struct{ produce func() string }

func (p *producer) Produce() *string { return jsii.String(p.produce()) }

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
	if p.v.next != nil {
		panic(fmt.Errorf("skippable: the validation already continues to a state; chain it once"))
	}
	p.v.next = next
	p.v.choice.When(
		sfn.Condition_Jsonata(p.v.lazy(func(flags []string) string { return `$count(` + problemsExpr(flags, p.v.params) + `) = 0` })),
		next,
		&sfn.ChoiceTransitionOptions{
			Comment: jsii.String("input is valid"),
			Outputs: p.v.lazy(func(flags []string) string { return outputExpr(flags, p.v.params, p.v.derived) }),
		},
	)
	return sfn.Chain_Start(next)
}

// flagsCheck fails the synth when the validation would accept nothing or
// an invalid flag.
type flagsCheck struct{ v *Validation }

func (c *flagsCheck) Validate() *[]*string {
	if c.v.next == nil {
		return &[]*string{jsii.String("skippable: the validation leads nowhere: chain the first state after it with Next")}
	}
	view := c.v.atSynth()
	flags := view.flags
	if len(flags) == 0 {
		return &[]*string{jsii.String("skippable: no flags to validate: no guard can run after the validation")}
	}
	var problems []*string
	for _, p := range recordProblems(view.states, view.paths) {
		problems = append(problems, jsii.String(p))
	}
	problems = append(problems, explicitProblems(c.v, view)...)
	if err := contract.CheckParams(c.v.params); err != nil {
		problems = append(problems, jsii.String(err.Error()))
	}
	for _, f := range flags {
		if err := contract.CheckFlag(f, contract.Names(c.v.params)...); err != nil {
			msg := err.Error()
			if view.paths[f] != "" {
				msg += " (guard " + view.paths[f] + ")"
			}
			problems = append(problems, jsii.String(msg))
		}
	}
	for _, err := range derivedProblems(c.v.derived, flags, c.v.params) {
		problems = append(problems, jsii.String(err.Error()))
	}
	return &problems
}

// ProblemsExpression is the JSONata expression, as the definition holds
// it, whose value lists what is wrong with an input: nothing when the
// input is valid. skippabletest.Problems evaluates it, e.g. to check an
// input stored in a schedule at synth. It reads the flags of the guards
// chained after the validation when it is called, or once synthesis has
// read them, so call it once the state machine is complete (during
// synthesis, as a CDK validation does, or after); taken before, a guard
// chained later would be missing from it, not from the definition.
func (v *Validation) ProblemsExpression() string {
	if v.synth != nil {
		// Synthesis has read the complete chain; reading it again costs a
		// call into the CDK runtime per state.
		return problemsExpr(v.synth.flags, v.params)
	}
	return problemsExpr(v.Flags(), v.params)
}

// explicitProblems: flags given in Props.Flags must be exactly those of
// the guards after the validation. A guard's flag left out could not be
// switched off; a listed flag no guard reads would be accepted and do
// nothing, as a typo would.
func explicitProblems(v *Validation, view *synthView) []*string {
	if v.explicit == nil || v.next == nil {
		return nil
	}
	guards, paths := view.guarded, view.paths
	listed := strings.Join(v.explicit, ", ")
	var problems []*string
	for _, f := range guards {
		if !slices.Contains(v.explicit, f) {
			problems = append(problems, jsii.String(fmt.Sprintf(
				"skippable: flag %q (guard %s) can run after the validation but is not in its Props.Flags (%s): add it, or leave Flags unset to take the guards' flags",
				f, paths[f], listed)))
		}
	}
	for i, f := range v.explicit {
		if slices.Contains(v.explicit[:i], f) {
			problems = append(problems, jsii.String(fmt.Sprintf("skippable: the validation's Props.Flags lists %q twice", f)))
			continue
		}
		if !slices.Contains(guards, f) {
			problems = append(problems, jsii.String(fmt.Sprintf(
				"skippable: the validation's Props.Flags lists %q, which no guard after it reads: an input setting it would be accepted and change nothing", f)))
		}
	}
	return problems
}
