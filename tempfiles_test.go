package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestAppLeavesNoTemporaryFiles runs the app with a TMPDIR of its own and
// fails on anything left in it: jsii unpacks its Node runtime (about 2 MB)
// under TMPDIR at every start, so a leak there grows by that much with each
// cdk synth.
func TestAppLeavesNoTemporaryFiles(t *testing.T) {
	tmp := t.TempDir()
	cmd := exec.Command(buildApp(t))
	cmd.Env = append(appEnv(t, filepath.Join(t.TempDir(), "cdk.out")), "CDK_VALIDATION=false", "TMPDIR="+tmp)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the app failed: %v\n%s", err, out)
	}
	left, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range left {
		t.Errorf("the app left %s in TMPDIR", e.Name())
	}
}
