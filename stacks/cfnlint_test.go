package stacks_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/partialruns/velib-pipeline/internal/tools"
)

// TestCfnLint runs cfn-lint (pinned in glue_scripts/requirements-dev.txt) on
// the synthesized template and accepts no error and no warning but one:
// W3005, an explicit DependsOn that CDK adds alongside a GetAtt on the same
// role, which is redundant and harmless.
func TestCfnLint(t *testing.T) {
	cfnLint, err := tools.VenvBin("cfn-lint")
	if err != nil {
		t.Fatal(err)
	}
	for _, ctx := range []map[string]any{nil, {"removalPolicy": "destroy", "notificationEmail": "ops@example.org"}} {
		body, err := json.MarshalIndent(synth(t, ctx).JSON, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "template.json")
		if err := os.WriteFile(path, body, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(cfnLint, "--ignore-checks", "W3005", "--", path).CombinedOutput()
		if err != nil {
			t.Errorf("cfn-lint on the template for %v: %v\n%s", ctx, err, out)
		}
	}
}
