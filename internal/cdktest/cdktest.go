// Package cdktest holds what the CDK tests of this module share: an app
// configured like `cdk synth`, the decoded template, and a way to turn jsii's
// panics into test failures.
//
// jsii runs one Node child per test binary and its calls must not run
// concurrently, so tests using this package must not call t.Parallel.
package cdktest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/constructs/golambda"
	"github.com/partialruns/velib-pipeline/internal/jsiiclose"
	"github.com/partialruns/velib-pipeline/internal/modroot"
)

// Main runs a test binary's tests and exits with their status (see Run).
func Main(m *testing.M) { os.Exit(Run(m)) }

// Run runs a test binary's tests and returns their status, for a TestMain
// with cleaning up of its own to do. It turns off the CloudFormation
// validation plugin, which costs most of a synth and checks what cfn-lint
// checks; the Node child reads the variable when it starts. At the end it
// closes jsii, which removes what jsii unpacked under TMPDIR.
func Run(m *testing.M) int {
	os.Setenv("CDK_VALIDATION", "false")
	code := m.Run()
	jsiiclose.Close()
	return code
}

// Catch runs f and returns what it panicked with, as text, or "". jsii
// reports JavaScript errors, failed template assertions included, as panics.
func Catch(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	f()
	return ""
}

// NewApp returns an app with the context `cdk synth` would give it: the
// context section of the project's cdk.json (feature flags change the
// template), overlaid with ctx. Asset bundling is skipped.
func NewApp(ctx map[string]any) awscdk.App { return NewAppIn("", ctx) }

// NewAppIn is NewApp writing its cloud assembly to outdir (a temporary
// folder when empty), for tests that need the staged assets.
func NewAppIn(outdir string, ctx map[string]any) awscdk.App {
	full, err := CDKJSONContext()
	if err != nil {
		panic(err)
	}
	full["aws:cdk:bundling-stacks"] = []any{}
	full[golambda.ReadOnlySynth] = true
	for k, v := range ctx {
		full[k] = v
	}
	props := &awscdk.AppProps{Context: &full}
	if outdir != "" {
		props.Outdir = jsii.String(outdir)
	}
	return awscdk.NewApp(props)
}

// MachineStack returns a new stack holding a one-state state machine,
// named name (or by CDK when name is empty), for the tests of constructs
// that attach to a state machine.
func MachineStack(name string) (awscdk.Stack, sfn.StateMachine) {
	stack := awscdk.NewStack(NewApp(nil), jsii.String("Test"), nil)
	props := &sfn.StateMachineProps{DefinitionBody: sfn.DefinitionBody_FromChainable(sfn.NewPass(stack, jsii.String("P"), nil))}
	if name != "" {
		props.StateMachineName = jsii.String(name)
	}
	return stack, sfn.NewStateMachine(stack, jsii.String("Machine"), props)
}

// CDKJSONContext is the context section of the project's cdk.json, as the
// CDK CLI hands it to the app.
func CDKJSONContext() (map[string]any, error) {
	root, err := modroot.Find()
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(root, "cdk.json"))
	if err != nil {
		return nil, err
	}
	var file struct {
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(b, &file); err != nil {
		return nil, fmt.Errorf("cdk.json: %w", err)
	}
	return file.Context, nil
}

// Template is a synthesized stack, decoded for assertions.
type Template struct {
	Assert assertions.Template
	JSON   map[string]any
}

// Synth synthesizes stack, failing the test with jsii's message if it cannot.
func Synth(t testing.TB, stack awscdk.Stack) *Template {
	t.Helper()
	tpl, err := SynthE(stack)
	if err != nil {
		t.Fatalf("synth failed: %v", err)
	}
	return tpl
}

// SynthE is Synth returning the failure, for tests that expect one.
func SynthE(stack awscdk.Stack) (*Template, error) {
	var tpl Template
	if msg := Catch(func() {
		tpl.Assert = assertions.Template_FromStack(stack, nil)
		b, err := json.Marshal(tpl.Assert.ToJSON())
		if err != nil {
			panic(err)
		}
		if err := json.Unmarshal(b, &tpl.JSON); err != nil {
			panic(err)
		}
	}); msg != "" {
		return nil, fmt.Errorf("%s", msg)
	}
	return &tpl, nil
}

// Has asserts that a resource of type typ has at least props.
func (tpl *Template) Has(t testing.TB, typ string, props any) {
	t.Helper()
	if msg := Catch(func() { tpl.Assert.HasResourceProperties(jsii.String(typ), props) }); msg != "" {
		t.Errorf("%s: %s", typ, msg)
	}
}

// Resources returns the resources of type typ by logical id.
func (tpl *Template) Resources(typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range tpl.JSON["Resources"].(map[string]any) {
		res := r.(map[string]any)
		if res["Type"] == typ {
			out[id] = res
		}
	}
	return out
}

// Statements returns the statements of every IAM identity policy, keyed by
// the policy's logical id.
func (tpl *Template) Statements() map[string][]map[string]any {
	out := map[string][]map[string]any{}
	for id, p := range tpl.Resources("AWS::IAM::Policy") {
		doc := p["Properties"].(map[string]any)["PolicyDocument"].(map[string]any)
		for _, st := range doc["Statement"].([]any) {
			out[id] = append(out[id], st.(map[string]any))
		}
	}
	return out
}

// Strings reads an IAM Action or Resource: a string or a list. Entries that
// are not strings (intrinsic functions) come back as compact JSON.
func Strings(v any) []string {
	items, ok := v.([]any)
	if !ok {
		items = []any{v}
	}
	out := make([]string, len(items))
	for i, e := range items {
		if s, ok := e.(string); ok {
			out[i] = s
			continue
		}
		b, _ := json.Marshal(e)
		out[i] = string(b)
	}
	return out
}
