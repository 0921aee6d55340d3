package main

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

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

// TestMakeLocalSynthesizesOnce checks that make local and make
// local-assembly (which make test runs first) bring .tools/local.out up to
// date through
// scripts/synthonce.sh, whose content key decides whether to synthesize
// (TestSynthOutIsMirrored), rather than through file times, which miss a
// deleted source or a deleted assembly.
func TestMakeLocalSynthesizesOnce(t *testing.T) {
	testinputs.Declare(t, "Makefile") // read by make, not by this test
	for _, target := range []string{"local", "local-assembly"} {
		cmd := exec.Command("make", "-n", "--no-print-directory", target, "FLAGS={}")
		cmd.Env = append(os.Environ(), "FLAGS_FILE=")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("make -n %s: %v\n%s", target, err, out)
		}
		if !strings.Contains(string(out), "scripts/synthonce.sh --out .tools/local.out --") {
			t.Errorf("make %s does not bring .tools/local.out up to date with synthonce.sh:\n%s", target, out)
		}
	}
}
