package main

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

// recipeEnv runs make with args and a shell that runs nothing: it writes
// the value of the environment variable name, as each recipe line would
// see it, to a file, and returns the last line's value. So a test sees
// what the runner would get, without running it.
func recipeEnv(t *testing.T, name string, args ...string) string {
	t.Helper()
	root, err := modroot.Find()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	got := filepath.Join(dir, "got")
	shell := filepath.Join(dir, "sh")
	script := "#!/bin/sh\nprintf '%s' \"$" + name + "\" > '" + got + "'\n"
	if err := os.WriteFile(shell, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	// Prerequisites that are up to date, so that only the target's own
	// recipe runs. (make local-assembly, a phony prerequisite, runs its
	// recipe in the fake shell too, which only records the variable.)
	fresh := filepath.Join(dir, "fresh")
	if err := os.WriteFile(fresh, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	future := time.Now().Add(time.Hour)
	if err := os.Chtimes(fresh, future, future); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("make", append([]string{"--no-print-directory", "SHELL=" + shell, "PY_STAMP=" + fresh, "STAMP=" + fresh}, args...)...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "FLAGS_FILE=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	value, err := os.ReadFile(got)
	if err != nil {
		t.Fatal(err)
	}
	return string(value)
}

// TestMakePassesFlagsVerbatim checks that make local hands FLAGS to the
// runner exactly as typed: an apostrophe, a $ and a backslash reach it
// untouched by the shell or by make, in its own environment (a shared input
// file once let two make local runs side by side swap inputs).
func TestMakePassesFlagsVerbatim(t *testing.T) {
	testinputs.Declare(t, "Makefile") // read by make, not by this test
	flags := `{"Comment": "it's $HOME and $(x) and \\ too", "lambda_load_data": false}`
	if got := recipeEnv(t, "LOCAL_FLAGS", "local", "FLAGS="+flags); got != flags {
		t.Errorf("the runner would get %q, want %q", got, flags)
	}
	if got := recipeEnv(t, "LOCAL_FLAGS", "local"); got != "" {
		t.Errorf("without FLAGS the runner would get %q", got)
	}
}

// TestMakeRefusesBothInputs: FLAGS and FLAGS_FILE together are a mistake.
func TestMakeRefusesBothInputs(t *testing.T) {
	root, err := modroot.Find()
	if err != nil {
		t.Fatal(err)
	}
	testinputs.Declare(t, "Makefile")
	cmd := exec.Command("make", "-n", "local", `FLAGS={}`, "FLAGS_FILE=x.json")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "give FLAGS or FLAGS_FILE, not both") {
		t.Errorf("make -n local with both: %v\n%s", err, out)
	}
}

func TestInputSizeLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.json")
	big := `{"Comment": "` + strings.Repeat("x", maxInput) + `"}`
	if err := os.WriteFile(path, []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	err := run("", path, t.TempDir(), t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "Step Functions accepts at most 262144 (256 KiB)") {
		t.Errorf("run with %d bytes = %v", len(big), err)
	}
}

// TestMakePassesTheStateFolder: LOCAL_DIR reaches the runner exactly as
// typed (through the environment, never a shell), so two runs can each
// have their own folder, whatever its name. make sql on a folder with no
// tables says so, naming the folder it got.
func TestMakePassesTheStateFolder(t *testing.T) {
	root, err := modroot.Find()
	if err != nil {
		t.Fatal(err)
	}
	testinputs.Declare(t, "Makefile", "cmd/local/*.go", "internal/local/*.go")
	for _, name := range []string{"plain", "with space", `it's "quoted" $(HOME)`} {
		dir := filepath.Join(t.TempDir(), name)
		cmd := exec.Command("make", "--no-print-directory", "sql", "Q=SELECT 1", "LOCAL_DIR="+dir)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if want := "local: no local tables in " + dir + " yet"; err == nil || !strings.Contains(string(out), want) {
			t.Errorf("make sql LOCAL_DIR=%q: %v, want %q in\n%s", dir, err, want, out)
		}
	}
}

// TestMakePassesTheQueryVerbatim: make sql hands Q to the runner exactly as
// typed, in its environment like FLAGS, and refuses to run without one.
func TestMakePassesTheQueryVerbatim(t *testing.T) {
	testinputs.Declare(t, "Makefile")
	q := `SELECT name FROM velib_data_silver WHERE name LIKE '%d''Italie' AND "$HOME" <> '\n'`
	if got := recipeEnv(t, "LOCAL_SQL", "sql", "Q="+q); got != q {
		t.Errorf("the runner would get %q, want %q", got, q)
	}
	root, err := modroot.Find()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("make", "-n", "sql")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), `give the query as Q="SELECT ..."`) {
		t.Errorf("make sql without Q: %v\n%s", err, out)
	}
}
