package testinputs_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/partialruns/velib-pipeline/internal/testinputs"
)

// TestDeclaredInputRerunsTest runs the fixture with go test three times: to
// pass, to hit the cache, and after a change next to its child's input.
// Declared, a change to the input reruns it and it fails; undeclared, go
// test replays the stale pass, which is what Declare is for. Files that
// only appear beside a declared one (bytecode, a cache) rerun nothing.
func TestDeclaredInputRerunsTest(t *testing.T) {
	edit := func(dir string) { write(t, filepath.Join(dir, "input.txt"), "broken\n", 30*time.Minute) }
	litter := func(dir string) {
		if err := os.Mkdir(filepath.Join(dir, "__pycache__"), 0o755); err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(dir, "__pycache__", "job.pyc"), "", time.Hour)
		write(t, filepath.Join(dir, "notes.md"), "", time.Hour)
	}
	for _, c := range []struct {
		name      string
		declare   bool
		change    func(dir string)
		wantRerun bool
	}{
		{name: "declared, input edited", declare: true, change: edit, wantRerun: true},
		{name: "not declared, input edited", declare: false, change: edit, wantRerun: false},
		{name: "declared, files added beside it", declare: true, change: litter, wantRerun: false},
	} {
		// The fixture's source is read by the go test below, not by this
		// binary.
		testinputs.Declare(t, "internal/testinputs/testdata/fixture/*.go")
		t.Run(c.name, func(t *testing.T) {
			dir := testinputs.TempDir(t)
			input := filepath.Join(dir, "input.txt")
			write(t, input, "ok\n", time.Hour)
			pattern := ""
			if c.declare {
				pattern = filepath.Join(dir, "*.txt")
			}
			run := func() string {
				cmd := exec.Command("go", "test", "./testdata/fixture")
				cmd.Env = append(os.Environ(), "GOFLAGS=", "FIXTURE_INPUT="+input, "FIXTURE_DECLARE="+pattern)
				out, _ := cmd.CombinedOutput()
				return string(out)
			}
			if out := run(); !strings.HasPrefix(out, "ok") || strings.Contains(out, "(cached)") {
				t.Fatalf("first run: want a fresh pass, got\n%s", out)
			}
			if out := run(); !strings.Contains(out, "(cached)") {
				t.Fatalf("second run, nothing changed: want a cached pass, got\n%s", out)
			}
			c.change(dir)
			out := run()
			if rerun := !strings.Contains(out, "(cached)"); rerun != c.wantRerun {
				t.Fatalf("after the change: rerun %v, want %v\n%s", rerun, c.wantRerun, out)
			}
			if c.wantRerun && !strings.HasPrefix(out, "--- FAIL") {
				t.Fatalf("the rerun should fail on the changed input:\n%s", out)
			}
		})
	}
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
