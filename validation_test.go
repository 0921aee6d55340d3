package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/partialruns/velib-pipeline/internal/cdktest"
)

// TestCloudFormationValidation runs the app as a plain `cdk synth` would
// without the project's cdk.json: aws-cdk-lib's CloudFormation validation
// plugin on. cdk.json's app turns the plugin off, since it costs about 3 s
// of every synth, so this test is where its check runs: it fails on any
// violation the plugin reports. Annotations are the stack tests' concern.
func TestCloudFormationValidation(t *testing.T) {
	dir := t.TempDir()
	app := filepath.Join(dir, "app")
	if out, err := exec.Command("go", "build", "-o", app, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cdkContext, err := cdktest.CDKJSONContext()
	if err != nil {
		t.Fatal(err)
	}
	context, _ := json.Marshal(cdkContext)
	modules, _ := filepath.Abs(filepath.Join(".tools", "node_modules"))
	out := filepath.Join(dir, "cdk.out")
	cmd := exec.Command(app)
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CDK_VALIDATION=") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, "CDK_OUTDIR="+out, "CDK_CONTEXT_JSON="+string(context),
		"PATH="+filepath.Join(modules, ".bin")+string(os.PathListSeparator)+os.Getenv("PATH"), "NODE_PATH="+modules)
	if output, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the app failed: %v\n%s", err, output)
	}
	b, err := os.ReadFile(filepath.Join(out, "validation-report.json"))
	if err != nil {
		t.Fatalf("no validation report: %v", err)
	}
	var report struct {
		PluginReports []struct {
			PluginName string `json:"pluginName"`
			Violations []struct {
				RuleName    string `json:"ruleName"`
				Description string `json:"description"`
			} `json:"violations"`
		} `json:"pluginReports"`
	}
	if err := json.Unmarshal(b, &report); err != nil {
		t.Fatal(err)
	}
	for _, p := range report.PluginReports {
		if p.PluginName == "Construct Annotations" {
			continue
		}
		for _, v := range p.Violations {
			t.Errorf("%s: %s: %s", p.PluginName, v.RuleName, v.Description)
		}
	}
}
