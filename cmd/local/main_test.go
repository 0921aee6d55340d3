package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/partialruns/velib-pipeline/internal/modroot"
	"github.com/partialruns/velib-pipeline/internal/testinputs"
)

// TestMakePassesFlagsVerbatim checks that make local hands FLAGS to the
// runner exactly as typed: an apostrophe, a $ and a backslash reach the
// input file untouched by the shell or by make. make -n prints the recipes
// instead of running them, but make still writes the input file.
func TestMakePassesFlagsVerbatim(t *testing.T) {
	root, err := modroot.Find()
	if err != nil {
		t.Fatal(err)
	}
	testinputs.Declare(t, "Makefile") // read by make, not by this test
	input := filepath.Join(t.TempDir(), "input.json")
	flags := `{"Comment": "it's $HOME and $(x) and \\ too", "lambda_load_data": false}`
	cmd := exec.Command("make", "-n", "local", "FLAGS="+flags, "LOCAL_INPUT="+input)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "FLAGS_FILE=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make -n local: %v\n%s", err, out)
	}
	got, err := os.ReadFile(input)
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSuffix(string(got), "\n") != flags {
		t.Errorf("the runner would get %q, want %q", got, flags)
	}
}

// TestMakeRefusesBothInputs: FLAGS and FLAGS_FILE together are a mistake.
func TestMakeRefusesBothInputs(t *testing.T) {
	root, err := modroot.Find()
	if err != nil {
		t.Fatal(err)
	}
	testinputs.Declare(t, "Makefile")
	cmd := exec.Command("make", "-n", "local", `FLAGS={}`, "FLAGS_FILE=x.json", "LOCAL_INPUT="+filepath.Join(t.TempDir(), "in.json"))
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
		cmd := exec.Command("make", "--no-print-directory", "sql", "Q=SELECT 1", "LOCAL_DIR="+dir, "LOCAL_QUERY="+filepath.Join(t.TempDir(), "q.sql"))
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if want := "local: no local tables in " + dir + " yet"; err == nil || !strings.Contains(string(out), want) {
			t.Errorf("make sql LOCAL_DIR=%q: %v, want %q in\n%s", dir, err, want, out)
		}
	}
}

// TestMakePassesTheQueryVerbatim: make sql hands Q to the runner exactly as
// typed, through a file, and refuses to run without one.
func TestMakePassesTheQueryVerbatim(t *testing.T) {
	root, err := modroot.Find()
	if err != nil {
		t.Fatal(err)
	}
	testinputs.Declare(t, "Makefile")
	file := filepath.Join(t.TempDir(), "q.sql")
	q := `SELECT name FROM velib_data_silver WHERE name LIKE '%d''Italie' AND "$HOME" <> '\n'`
	cmd := exec.Command("make", "-n", "--no-print-directory", "sql", "Q="+q, "LOCAL_QUERY="+file)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make -n sql: %v\n%s", err, out)
	}
	if got, _ := os.ReadFile(file); strings.TrimSuffix(string(got), "\n") != q {
		t.Errorf("the runner would get %q, want %q", got, q)
	}
	if !strings.Contains(string(out), "-sql-file "+file) {
		t.Errorf("make -n sql runs:\n%s", out)
	}
	cmd = exec.Command("make", "-n", "sql")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), `give the query as Q="SELECT ..."`) {
		t.Errorf("make sql without Q: %v\n%s", err, out)
	}
}
