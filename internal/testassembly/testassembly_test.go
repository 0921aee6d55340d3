package testassembly_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/partialruns/velib-pipeline/internal/layout"
	"github.com/partialruns/velib-pipeline/internal/mirror"
	"github.com/partialruns/velib-pipeline/internal/testassembly"
	"github.com/partialruns/velib-pipeline/internal/testinputs"
)

// TestSynthKeepsCachedResults runs the fixture with go test on an assembly
// that make would keep up to date: synthesized anew into a folder of its
// own, then mirrored onto the shared one. A synth that wrote the same
// files again keeps the fixture's cached pass; one that changed a file
// reruns it (and it fails on the change); a file the synth added reruns it
// too.
func TestSynthKeepsCachedResults(t *testing.T) {
	// The fixture's source is read by the go test below, not by this binary.
	testinputs.Declare(t, "internal/testassembly/testdata/fixture/*.go")
	for _, c := range []struct {
		name      string
		synth     map[string]string
		wantRerun bool
	}{
		{name: "the same assembly again", synth: map[string]string{"stack.template.json": "ok\n", "asset.1/job.py": "x"}, wantRerun: false},
		{name: "the template changed", synth: map[string]string{"stack.template.json": "no\n", "asset.1/job.py": "x"}, wantRerun: true},
		{name: "a new asset", synth: map[string]string{"stack.template.json": "ok\n", "asset.1/job.py": "x", "asset.2/lib.py": "y"}, wantRerun: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			shared := filepath.Join(testinputs.TempDir(t), "local.out")
			synth := func(files map[string]string) {
				t.Helper()
				// Dated an hour ago, as a synth long before the test:
				// go test caches no result that read a newer file.
				then := time.Now().Add(-time.Hour)
				out := t.TempDir()
				for name, text := range files {
					path := filepath.Join(out, name)
					if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
						t.Fatal(err)
					}
					if err := os.Chtimes(path, then, then); err != nil {
						t.Fatal(err)
					}
				}
				if err := mirror.Dir(out, shared); err != nil {
					t.Fatal(err)
				}
			}
			run := func() string {
				cmd := exec.Command("go", "test", "./testdata/fixture")
				cmd.Env = append(os.Environ(), "GOFLAGS=", testassembly.Env+"="+shared)
				out, _ := cmd.CombinedOutput()
				return string(out)
			}
			synth(map[string]string{"stack.template.json": "ok\n", "asset.1/job.py": "x"})
			if out := run(); !strings.HasPrefix(out, "ok") || strings.Contains(out, "(cached)") {
				t.Fatalf("first run: want a fresh pass, got\n%s", out)
			}
			if out := run(); !strings.Contains(out, "(cached)") {
				t.Fatalf("second run, nothing changed: want a cached pass, got\n%s", out)
			}
			synth(c.synth)
			out := run()
			if rerun := !strings.Contains(out, "(cached)"); rerun != c.wantRerun {
				t.Fatalf("after the synth: rerun %v, want %v\n%s", rerun, c.wantRerun, out)
			}
			if c.name == "the template changed" && !strings.HasPrefix(out, "--- FAIL") {
				t.Fatalf("the rerun should fail on the changed template:\n%s", out)
			}
		})
	}
}

// TestCopyBringsItUpToDate is go test run by hand, without make test's
// variable: Copy runs make itself and copies the stack's assembly.
func TestCopyBringsItUpToDate(t *testing.T) {
	t.Setenv(testassembly.Env, "")
	dir := t.TempDir()
	testassembly.Copy(t, dir)
	data, err := os.ReadFile(filepath.Join(dir, layout.StackID+".template.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"AWS::StepFunctions::StateMachine"`) {
		t.Errorf("the copied template has no state machine:\n%.300s", data)
	}
}
