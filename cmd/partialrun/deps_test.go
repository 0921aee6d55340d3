package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/partialruns/velib-pipeline/internal/modroot"
	"github.com/partialruns/velib-pipeline/internal/testinputs"
)

// TestNoCDKDependency keeps the commands that read synthesized templates
// (partialrun, make local, make validate) free of the CDK: loading it costs
// seconds and a Node process, and they need none of it.
func TestNoCDKDependency(t *testing.T) {
	root, err := modroot.Find()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}} {{.Dir}}", "./cmd/...")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, dir, _ := strings.Cut(line, " ")
		if strings.Contains(pkg, "aws-cdk-go") || strings.Contains(pkg, "jsii-runtime-go") {
			t.Errorf("a command depends on %s", pkg)
		}
		// go list read the module's own packages; an import added to any
		// of them must rerun this test.
		if rel, err := filepath.Rel(root, dir); err == nil && filepath.IsLocal(rel) {
			testinputs.Declare(t, filepath.Join(rel, "*.go"))
		}
	}
}
