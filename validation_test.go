package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/partialruns/velib-pipeline/internal/cdktest"
)

// TestCloudFormationValidation runs the app as a plain `cdk synth` would
// without the project's cdk.json: aws-cdk-lib's CloudFormation validation
// plugin on. cdk.json's app turns the plugin off, since it costs about 3 s
// of every synth, so this test is where its check runs: it fails on any
// violation the plugin reports. Annotations are the stack tests' concern.
func TestCloudFormationValidation(t *testing.T) {
	out := filepath.Join(t.TempDir(), "cdk.out")
	cmd := exec.Command(buildApp(t))
	cmd.Env = appEnv(t, out)
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

var (
	appOnce sync.Once
	appPath string
	appErr  error
)

// buildApp builds the app once per test binary, into a temporary folder
// that TestMain removes.
func buildApp(t *testing.T) string {
	t.Helper()
	appOnce.Do(func() {
		var dir string
		if dir, appErr = os.MkdirTemp("", "app"); appErr != nil {
			return
		}
		appPath = filepath.Join(dir, "app")
		if out, err := exec.Command("go", "build", "-o", appPath, ".").CombinedOutput(); err != nil {
			appErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if appErr != nil {
		t.Fatal(appErr)
	}
	return appPath
}

// appEnv is the environment the CDK CLI gives the app: cdk.json's context,
// the assembly folder out, and the project's Node; CDK_VALIDATION is left
// out, so aws-cdk-lib's default (the validation plugin on) applies.
func appEnv(t *testing.T, out string) []string {
	t.Helper()
	cdkContext, err := cdktest.CDKJSONContext()
	if err != nil {
		t.Fatal(err)
	}
	context, _ := json.Marshal(cdkContext)
	modules, _ := filepath.Abs(filepath.Join(".tools", "node_modules"))
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CDK_VALIDATION=") {
			env = append(env, kv)
		}
	}
	return append(env, "CDK_OUTDIR="+out, "CDK_CONTEXT_JSON="+string(context),
		"PATH="+filepath.Join(modules, ".bin")+string(os.PathListSeparator)+os.Getenv("PATH"), "NODE_PATH="+modules)
}
