package stacks_test

import (
	"os/exec"
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
	for _, ctx := range configurations {
		out, err := exec.Command(cfnLint, "--ignore-checks", "W3005", "--", templateFile(t, ctx)).CombinedOutput()
		if err != nil {
			t.Errorf("cfn-lint on the template for %v: %v\n%s", ctx, err, out)
		}
	}
}
