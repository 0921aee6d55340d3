package testinputs_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/partialruns/velib-pipeline/internal/modroot"
	"github.com/partialruns/velib-pipeline/internal/testinputs"
)

// TestDeclaredInputRerunsTest runs the fixture with go test three times: to
// pass, to hit the cache, and after its child's input changed. Declared,
// the change reruns it and it fails; undeclared, go test replays the stale
// pass, which is what Declare is for.
func TestDeclaredInputRerunsTest(t *testing.T) {
	for _, c := range []struct {
		name      string
		declare   string
		wantRerun bool
	}{
		{name: "declared", declare: "1", wantRerun: true},
		{name: "not declared", declare: "0", wantRerun: false},
	} {
		// The fixture's source is read by the go test below, not by this
		// binary.
		testinputs.Declare(t, "internal/testinputs/testdata/fixture/*.go")
		t.Run(c.name, func(t *testing.T) {
			input := filepath.Join(moduleTempDir(t), "input.txt")
			write(t, input, "ok\n", time.Hour)
			run := func() string {
				cmd := exec.Command("go", "test", "./testdata/fixture")
				cmd.Env = append(os.Environ(), "GOFLAGS=", "FIXTURE_INPUT="+input, "FIXTURE_DECLARE="+c.declare)
				out, _ := cmd.CombinedOutput()
				return string(out)
			}
			if out := run(); !strings.HasPrefix(out, "ok") || strings.Contains(out, "(cached)") {
				t.Fatalf("first run: want a fresh pass, got\n%s", out)
			}
			if out := run(); !strings.Contains(out, "(cached)") {
				t.Fatalf("second run, nothing changed: want a cached pass, got\n%s", out)
			}
			write(t, input, "broken\n", 30*time.Minute)
			out := run()
			if rerun := !strings.Contains(out, "(cached)"); rerun != c.wantRerun {
				t.Fatalf("after the input changed: rerun %v, want %v\n%s", rerun, c.wantRerun, out)
			}
			if c.wantRerun && !strings.HasPrefix(out, "--- FAIL") {
				t.Fatalf("the rerun should fail on the changed input:\n%s", out)
			}
		})
	}
}

// moduleTempDir is a temporary folder under .tools/ (ignored by git): go
// test keys its cache only on files inside the module, so the fixture's
// input must be there.
func moduleTempDir(t *testing.T) string {
	t.Helper()
	root, err := modroot.Find()
	if err != nil {
		t.Fatal(err)
	}
	parent := filepath.Join(root, ".tools")
	if err := os.MkdirAll(parent, 0o755); err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp(parent, "testinputs-")
	if err != nil {
		t.Fatal(err)
	}
	// Not os.RemoveAll: it would open .tools itself, whose listing
	// changes with every run, and this test would never be cached.
	t.Cleanup(func() {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			os.Remove(filepath.Join(dir, e.Name()))
		}
		os.Remove(dir)
	})
	return dir
}

// write writes text to path and dates it age ago: go test does not cache a
// result that read a file modified in the last few seconds.
func write(t *testing.T, path, text string, age time.Duration) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	then := time.Now().Add(-age)
	if err := os.Chtimes(path, then, then); err != nil {
		t.Fatal(err)
	}
}
