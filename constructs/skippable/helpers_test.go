package skippable_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/internal/cdktest"
)

func TestMain(m *testing.M) { cdktest.Main(m) }

// asl is a state machine definition decoded for assertions.
type asl struct {
	StartAt string                    `json:"StartAt"`
	States  map[string]map[string]any `json:"States"`
}

// build makes a stack holding a state machine whose definition is whatever
// chain returns.
func build(chain func(stack awscdk.Stack) sfn.IChainable) awscdk.Stack {
	stack := awscdk.NewStack(cdktest.NewApp(nil), jsii.String("Test"), nil)
	sfn.NewStateMachine(stack, jsii.String("Machine"), &sfn.StateMachineProps{
		DefinitionBody: sfn.DefinitionBody_FromChainable(chain(stack)),
	})
	return stack
}

// render builds and synthesizes, and decodes the definition. The states used
// in these tests hold no tokens, so the definition is a plain string.
func render(t *testing.T, chain func(stack awscdk.Stack) sfn.IChainable) asl {
	t.Helper()
	var def asl
	if msg := cdktest.Catch(func() { def = definition(build(chain)) }); msg != "" {
		t.Fatalf("synth failed: %s", msg)
	}
	return def
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

func pass(stack awscdk.Stack, name string) sfn.Pass {
	return sfn.NewPass(stack, jsii.String(name), nil)
}

func mustContain(t *testing.T, got, want string) {
	t.Helper()
	if !strings.Contains(got, want) {
		t.Fatalf("message %q does not contain %q", got, want)
	}
}
