package stacks_test

import (
	"encoding/json"
	"fmt"
	"github.com/partialruns/velib-pipeline/constructs/skippable/render"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/partialruns/velib-pipeline/internal/layout"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/internal/cdktest"
	"github.com/partialruns/velib-pipeline/stacks"
)

func TestMain(m *testing.M) { cdktest.Main(m) }

// configurations are the app configurations every whole-template check
// runs on: the defaults, and the one that adds what only some deployments
// have (the buckets' auto-delete function, the e-mail subscription, the
// event runs).
// The second also caps the workers of a long range at the deployed two,
// which lengthens the runs' timeouts and the state machine's.
var configurations = []map[string]any{nil, {
	"removalPolicy": "destroy", "notificationEmail": "ops@example.org", "glueMaxWorkers": "2",
	"eventRuns": map[string]any{"enabled": true},
}}

// templateFile writes the template synthesized with ctx to a file, for the
// command-line checkers.
func templateFile(t *testing.T, ctx map[string]any) string {
	t.Helper()
	body, err := json.MarshalIndent(synth(t, ctx).JSON, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "template.json")
	if err := os.WriteFile(path, body, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

type synthesized struct {
	stack    awscdk.Stack
	template *cdktest.Template
	nag      *nagLog
}

var synthCache = map[string]synthesized{}

// synthStack is synth's stack, for annotation assertions.
func synthStack(t testing.TB, ctx map[string]any) awscdk.Stack {
	synth(t, ctx)
	return synthCache[fmt.Sprint(ctx)].stack
}

// synth builds the stack the way main.go does, from the app context (cdk.json
// overlaid with ctx), and caches the result by ctx: a synth costs about a
// second of jsii and most tests only read the template.
func synth(t testing.TB, ctx map[string]any) *cdktest.Template {
	t.Helper()
	key := fmt.Sprint(ctx)
	if s, ok := synthCache[key]; ok {
		return s.template
	}
	app := cdktest.NewApp(ctx)
	cfg, err := stacks.ConfigFromContext(func(k string) any { return app.Node().TryGetContext(jsii.String(k)) })
	if err != nil {
		t.Fatal(err)
	}
	var tpl *cdktest.Template
	var stack awscdk.Stack
	if msg := cdktest.Catch(func() {
		stack = stacks.NewPipelineStack(app, layout.StackID, &stacks.PipelineStackProps{Config: cfg})
		stacks.AddNagChecks(app) // as main.go does
		tpl = cdktest.Synth(t, stack)
	}); msg != "" {
		t.Fatalf("building the stack failed: %s", msg)
	}
	log, err := readNagReports(*app.Outdir(), *stack.StackName())
	if err != nil {
		t.Fatal(err)
	}
	synthCache[key] = synthesized{stack, tpl, log}
	return tpl
}

// synthNag is what cdk-nag reported during synth's synthesis.
func synthNag(t testing.TB, ctx map[string]any) *nagLog {
	synth(t, ctx)
	return synthCache[fmt.Sprint(ctx)].nag
}

// definition is the state machine's definition as plain ASL.
func definition(t testing.TB, tpl *cdktest.Template) map[string]any {
	t.Helper()
	return machineDefinition(t, tpl, "StateMachine")
}

// machineDefinition is the flattened definition of the state machine
// whose logical id starts with prefix: the pipeline's "StateMachine", the
// arrivals window's "ArrivalsWindow".
func machineDefinition(t testing.TB, tpl *cdktest.Template, prefix string) map[string]any {
	t.Helper()
	machines, err := render.AllFromTemplate(tpl.JSON)
	if err != nil {
		t.Fatal(err)
	}
	var flat string
	for id, def := range machines {
		if strings.HasPrefix(id, prefix) && strings.TrimLeft(id[len(prefix):], "0123456789ABCDEF") == "" {
			flat = def
		}
	}
	if flat == "" {
		t.Fatalf("no state machine %s… in the template", prefix)
	}
	var def map[string]any
	if err := json.Unmarshal([]byte(flat), &def); err != nil {
		t.Fatal(err)
	}
	return def
}

// allStates returns every state by name, those inside Parallel branches
// and Map iterations included.
func allStates(def map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	for name, st := range def["States"].(map[string]any) {
		state := st.(map[string]any)
		out[name] = state
		for _, graph := range render.NestedGraphs(state) {
			for n, s := range allStates(graph) {
				out[n] = s
			}
		}
	}
	return out
}
