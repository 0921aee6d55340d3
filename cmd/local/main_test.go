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

// TestMakePassesTheStateFolder: LOCAL_DIR reaches the runner as its state
// folder, .local when not given, so two runs can each have their own.
func TestMakePassesTheStateFolder(t *testing.T) {
	root, err := modroot.Find()
	if err != nil {
		t.Fatal(err)
	}
	testinputs.Declare(t, "Makefile")
	for _, tc := range []struct{ arg, want string }{
		{"", "-dir '.local'"},
		{"LOCAL_DIR=.local-2", "-dir '.local-2'"},
		{"LOCAL_DIR=/tmp/with space", "-dir '/tmp/with space'"},
	} {
		args := []string{"-n", "--no-print-directory", "local", "LOCAL_INPUT=" + filepath.Join(t.TempDir(), "in.json")}
		if tc.arg != "" {
			args = append(args, tc.arg)
		}
		cmd := exec.Command("make", args...)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "FLAGS_FILE=")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("make %v: %v\n%s", args, err, out)
		}
		if !strings.Contains(string(out), tc.want) {
			t.Errorf("make -n local %s runs no %q:\n%s", tc.arg, tc.want, out)
		}
	}
}
