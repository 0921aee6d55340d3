package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/partialruns/velib-pipeline/internal/testinputs"
)

// TestMakeHelp checks that make help lists every target the Makefile
// declares phony: a target without a "## name:" line would be missing.
func TestMakeHelp(t *testing.T) {
	makefile, err := os.ReadFile("Makefile")
	if err != nil {
		t.Fatal(err)
	}
	phony := regexp.MustCompile(`(?m)^\.PHONY:(.*)$`).FindSubmatch(makefile)
	if phony == nil {
		t.Fatal("no .PHONY line in the Makefile")
	}
	out, err := exec.Command("make", "--no-print-directory", "help").CombinedOutput()
	if err != nil {
		t.Fatalf("make help: %v\n%s", err, out)
	}
	listed := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^  ([a-z /-]+):`).FindAllSubmatch(out, -1) {
		for _, name := range strings.Split(string(m[1]), " / ") {
			listed[name] = true
		}
	}
	for _, target := range strings.Fields(string(phony[1])) {
		if !listed[target] {
			t.Errorf("make help does not list %q:\n%s", target, out)
		}
	}
}

// TestMakeLocalSynthesizesOnlyWhenStale checks that make local reuses the
// synthesized assembly unless a source of the app is newer than its stamp (make -n prints
// the recipes it would run; -W pretends a file was just changed).
func TestMakeLocalSynthesizesOnlyWhenStale(t *testing.T) {
	testinputs.Declare(t, "Makefile") // read by make, not by this test
	stamp := filepath.Join(t.TempDir(), "local.out.synthesized")
	if err := os.WriteFile(stamp, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	// Newer than every source, as right after a synth.
	future := time.Now().Add(time.Hour)
	if err := os.Chtimes(stamp, future, future); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		changed string
		synth   bool
	}{
		{name: "nothing changed", synth: false},
		{name: "a Go source changed", changed: "stacks/jobs.go", synth: true},
		{name: "a job script changed", changed: "glue_scripts/lib/velib_silver.py", synth: true},
		{name: "cdk.json changed", changed: "cdk.json", synth: true},
		{name: "the CDK CLI's pin changed", changed: "package-lock.json", synth: true},
		{name: "a test changed", changed: "stacks/pipeline_test.go", synth: false},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := []string{"-n", "--no-print-directory", "local", "LOCAL_STAMP=" + stamp, "FLAGS={}"}
			if c.changed != "" {
				args = append(args, "-W", c.changed)
			}
			cmd := exec.Command("make", args...)
			cmd.Env = append(os.Environ(), "FLAGS_FILE=")
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("make %v: %v\n%s", args, err, out)
			}
			if got := strings.Contains(string(out), "cdk synth"); got != c.synth {
				t.Errorf("synthesizes: %v, want %v\n%s", got, c.synth, out)
			}
		})
	}
}
