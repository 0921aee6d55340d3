package main

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/partialruns/velib-pipeline/internal/modroot"
)

// TestNoCDKDependency keeps the commands that read synthesized templates
// (partialrun, make local, make validate) free of the CDK: loading it costs
// seconds and a Node process, and they need none of it.
func TestNoCDKDependency(t *testing.T) {
	root, err := modroot.Find()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "list", "-deps", "./cmd/...")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.Contains(pkg, "aws-cdk-go") || strings.Contains(pkg, "jsii-runtime-go") {
			t.Errorf("a command depends on %s", pkg)
		}
	}
}
