package skippabletests

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/constructs/skippable/contract"
	"github.com/partialruns/velib-pipeline/constructs/skippable/validation"
	"github.com/partialruns/velib-pipeline/internal/cdktest"
	"github.com/partialruns/velib-pipeline/internal/jsonata"
)

func TestMain(m *testing.M) { cdktest.Main(m) }

// dated declares process_date with the date rule, as the shared table of
// inputs expects.
var dated = &validation.Props{Params: []contract.Param{contract.DateParam("process_date")}}

// asl is a state machine definition decoded for assertions.
type asl struct {
	StartAt string                    `json:"StartAt"`
	States  map[string]map[string]any `json:"States"`
}

// build makes a stack holding a state machine whose definition is whatever
// chain returns; a chain that returns nil has made its own state machine.
func build(chain func(stack awscdk.Stack) sfn.IChainable) awscdk.Stack {
	stack := awscdk.NewStack(cdktest.NewApp(nil), jsii.String("Test"), nil)
	if c := chain(stack); c != nil {
		sfn.NewStateMachine(stack, jsii.String("Machine"), &sfn.StateMachineProps{
			DefinitionBody: sfn.DefinitionBody_FromChainable(c),
		})
	}
	return stack
}

// synthASL builds and synthesizes, and decodes the definition. The states used
// in these tests hold no tokens, so the definition is a plain string. Every
// machine rendered here also passes the JSONata portability lint, so every
// shape the construct builds is checked for what AWS or an emulator would
// refuse.
func synthASL(t *testing.T, chain func(stack awscdk.Stack) sfn.IChainable) asl {
	t.Helper()
	raw := renderJSON(t, chain)
	var def asl
	if err := json.Unmarshal(raw, &def); err != nil {
		t.Fatal(err)
	}
	return def
}

// renderJSON is synthASL's definition as text.
func renderJSON(t *testing.T, chain func(stack awscdk.Stack) sfn.IChainable) []byte {
	t.Helper()
	var raw []byte
	if msg := cdktest.Catch(func() { raw = definitionJSON(build(chain)) }); msg != "" {
		t.Fatalf("synth failed: %s", msg)
	}
	lintJSONata(t, raw)
	return raw
}

// lintJSONata fails the test on any non-portable JSONata construct in the
// definition.
func lintJSONata(t *testing.T, definition []byte) {
	t.Helper()
	exprs, err := jsonata.Expressions(definition)
	if err != nil {
		t.Fatal(err)
	}
	findings, err := jsonata.Lint(exprs)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range findings {
		t.Errorf("non-portable JSONata: %s", f)
	}
}

// synthError builds like render but expects a failure, and returns its
// message ("" if there was none).
func synthError(chain func(stack awscdk.Stack) sfn.IChainable) string {
	return cdktest.Catch(func() {
		if _, err := cdktest.SynthE(build(chain)); err != nil {
			panic(err)
		}
	})
}

// definitionJSON is the one state machine definition in stack. The states
// used in these tests hold no tokens, so the definition is a plain string.
func definitionJSON(stack awscdk.Stack) []byte {
	machines := assertions.Template_FromStack(stack, nil).FindResources(jsii.String("AWS::StepFunctions::StateMachine"), nil)
	for _, m := range *machines {
		return []byte((*m)["Properties"].(map[string]any)["DefinitionString"].(string))
	}
	panic("no state machine in the stack")
}

func pass(scope constructs.Construct, name string) sfn.Pass {
	return sfn.NewPass(scope, jsii.String(name), nil)
}

func mustContain(t *testing.T, got, want string) {
	t.Helper()
	if !strings.Contains(got, want) {
		t.Fatalf("message %q does not contain %q", got, want)
	}
}
