package skippable

import (
	"fmt"

	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/constructs/skippable/contract"
	"github.com/partialruns/velib-pipeline/constructs/skippable/render"
)

// Props configure a [Skippable].
type Props struct {
	// Flag is the execution-input key that switches Body on or off.
	// It must pass [contract.CheckFlag] and be unique within its state
	// machine; other state machines may reuse it.
	Flag string
	// Body is the work to guard: a task, a Parallel, a Map or a chain.
	Body sfn.IChainable
	// Comment describes the guard in the console. Default: one naming the
	// flag and its rules.
	Comment string
	// QueryLanguage is the top-level query language of the state machine
	// the guard is in: its states are rendered in it, since AWS refuses
	// JSONPath states in a JSONata state machine (the synth names a
	// mismatch). Default: JSONPath.
	QueryLanguage sfn.QueryLanguage
	// Unvalidated accepts a state machine that does not start with a
	// validation (package validation): a misspelt flag then runs every
	// step instead of failing the execution. Default: false, and the
	// synth fails for such a state machine.
	Unvalidated bool
}

// Skippable is a state machine fragment that runs its body unless the
// execution input sets its flag to false. It chains like a state: call Next
// to continue after it, or End when it is the last state of a branch.
type Skippable struct {
	sfn.StateMachineFragment
	flag   string
	choice *guardChoice
	// record follows the body and records it as ran; Next connects it
	// onward.
	record sfn.Pass
	// skip ends the skip path once End is called; until then the skip path
	// is connected by Next, as the Choice's default.
	skip sfn.Pass
	// jsonata says whether the guard's states are JSONata states.
	jsonata bool
}

// New guards props.Body with a Choice named "Run <flag>?". It panics if the
// flag name is invalid, so the synth stops with a message naming the flag.
// A flag may be reused by another state machine, never within one: the
// guard's state name would then occur twice, which the synth refuses.
func New(scope constructs.Construct, id *string, props *Props) *Skippable {
	if props == nil || props.Body == nil {
		panic(fmt.Errorf("skippable: flag %q (guard %s/%s): Props.Body is required", flagOf(props), *scope.Node().Path(), *id))
	}
	s := &Skippable{flag: props.Flag, jsonata: props.QueryLanguage == sfn.QueryLanguage_JSONATA}
	sfn.NewStateMachineFragment_Override(s, scope, id)
	register(s, props.Flag)

	comment := jsii.String(props.Comment)
	if props.Comment == "" {
		comment = jsii.String(fmt.Sprintf("Runs the next step unless the input sets %q to false.", props.Flag))
	}
	name := jsii.String(contract.GuardName(props.Flag))
	if s.jsonata {
		s.choice = newGuardChoice(s, name, props.Flag, &sfn.ChoiceProps{Comment: comment, QueryLanguage: sfn.QueryLanguage_JSONATA})
		s.choice.When(sfn.Condition_Jsonata(jsii.String(render.FlagCondition(props.Flag))), props.Body, &sfn.ChoiceTransitionOptions{
			Comment: jsii.String("flag absent or true: run"),
		})
	} else {
		path := jsii.String(contract.FlagPath(props.Flag))
		s.choice = newGuardChoice(s, name, props.Flag, &sfn.ChoiceProps{Comment: comment})
		// Absent first: a rule that reads a missing path is a runtime
		// error, so the BooleanEquals rule is only reached when the flag
		// is present.
		s.choice.When(sfn.Condition_IsNotPresent(path), props.Body, &sfn.ChoiceTransitionOptions{
			Comment: jsii.String("flag absent: run"),
		})
		s.choice.When(sfn.Condition_BooleanEquals(path, jsii.Bool(true)), props.Body, &sfn.ChoiceTransitionOptions{
			Comment: jsii.String("flag true: run"),
		})
	}
	s.record = s.pass(contract.RecordName(props.Flag),
		fmt.Sprintf("%q ran: record it under %s.", props.Flag, contract.RunsKey), contract.StatusRan)
	for _, end := range *props.Body.EndStates() {
		end.Next(s.record)
	}
	s.Node().AddValidation(&skipPathCheck{s})
	s.Node().AddValidation(&machineCheck{s: s, unvalidated: props.Unvalidated})
	return s
}

// flagOf is the flag props name, for a message about props.
func flagOf(props *Props) string {
	if props == nil {
		return ""
	}
	return props.Flag
}

// Flag returns the execution-input key that switches this fragment.
func (s *Skippable) Flag() string { return s.flag }

// StartState is the guard Choice. It implements [sfn.IChainable].
func (s *Skippable) StartState() sfn.State { return s.choice }

// EndStates are the states that a following Next connects: the Pass that
// records the body as ran, and the skip path (the Choice's default until
// End, then the skip Pass), so that a skipped body costs one transition. It
// implements [sfn.IChainable].
func (s *Skippable) EndStates() *[]sfn.INextable {
	ends := []sfn.INextable{s.record}
	if s.skip != nil {
		ends = append(ends, s.skip)
	} else {
		ends = append(ends, &skipPath{s})
	}
	return &ends
}

// skipPath connects the skip path to whatever is chained next.
type skipPath struct{ s *Skippable }

func (p *skipPath) Next(next sfn.IChainable) sfn.Chain {
	p.s.choice.Otherwise(next)
	return sfn.Chain_Start(next)
}

// End makes this fragment the last of its branch (or of the state machine):
// the skip path ends in a Pass state named "Skip <flag>" that records the
// flag as skipped. A Choice cannot end a branch itself, so
// without End or Next the skip path would lead nowhere. It returns s, so it
// can be used inline, e.g. parallel.Branch(skippable.New(...).End()).
func (s *Skippable) End() *Skippable {
	if s.skip != nil {
		return s
	}
	s.skip = s.pass(contract.SkipName(s.flag), fmt.Sprintf("%q is false: nothing to do in this branch.", s.flag), contract.StatusSkipped)
	s.choice.Otherwise(s.skip)
	return s
}

// pass is a Pass state that records status for the guard's flag, in the
// guard's query language.
func (s *Skippable) pass(name, comment, status string) sfn.Pass {
	if s.jsonata {
		return sfn.Pass_Jsonata(s, jsii.String(name), &sfn.PassJsonataProps{
			Comment: jsii.String(comment),
			Outputs: jsii.String(render.RecordOutputs(s.flag, render.Status(status))),
		})
	}
	return sfn.NewPass(s, jsii.String(name), &sfn.PassProps{
		Comment:    jsii.String(comment),
		Result:     sfn.Result_FromObject(&map[string]interface{}{"status": status}),
		ResultPath: jsii.String(render.RunPath(s.flag)),
	})
}

func (s *Skippable) queryLanguage() sfn.QueryLanguage {
	if s.jsonata {
		return sfn.QueryLanguage_JSONATA
	}
	return sfn.QueryLanguage_JSON_PATH
}

// skipPathCheck fails the synth when a guard's skip path was never connected:
// the Choice would have no default and a false flag would fail the execution
// with States.NoChoiceMatched instead of skipping.
type skipPathCheck struct{ s *Skippable }

func (c *skipPathCheck) Validate() *[]*string {
	if _, ok := (*c.s.choice.ToStateJson(c.s.queryLanguage()))["Default"]; ok {
		return &[]*string{}
	}
	return &[]*string{jsii.String(fmt.Sprintf(
		"skippable: the skip path of flag %q leads nowhere: chain a state after it with Next, or call End() if it is the last state of a branch",
		c.s.flag))}
}
