package stacks_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/partialruns/velib-pipeline/internal/snapshot"
	"github.com/partialruns/velib-pipeline/internal/tools"
	"github.com/partialruns/velib-pipeline/stacks"
)

// checkovReport is the part of checkov's JSON report the test reads.
type checkovReport struct {
	Results struct {
		PassedChecks  []checkovResult `json:"passed_checks"`
		FailedChecks  []checkovResult `json:"failed_checks"`
		SkippedChecks []checkovResult `json:"skipped_checks"`
	} `json:"results"`
	Summary struct {
		Passed, Failed, Skipped int
	} `json:"summary"`
}

type checkovResult struct {
	CheckID   string `json:"check_id"`
	CheckName string `json:"check_name"`
	Resource  string `json:"resource"`
}

var checkovCache = map[string]checkovReport{}

// runCheckov scans the template synthesized with ctx, offline, once per
// test binary.
func runCheckov(t *testing.T, ctx map[string]any) checkovReport {
	t.Helper()
	if r, ok := checkovCache[fmt.Sprint(ctx)]; ok {
		return r
	}
	bin, err := tools.Checkov()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--file", templateFile(t, ctx), "--framework", "cloudformation", "--output", "json",
		"--skip-download", "--compact")
	// Nothing leaves the machine: no guidelines download, no telemetry.
	cmd.Env = append(os.Environ(), "BC_SKIP_MAPPING=TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2=false", "LOG_LEVEL=ERROR")
	out, err := cmd.Output()
	var report checkovReport
	if jerr := json.Unmarshal(out, &report); jerr != nil {
		t.Fatalf("checkov (%v): %v\n%s", err, jerr, out)
	}
	checkovCache[fmt.Sprint(ctx)] = report
	return report
}

// TestCheckov fails on any failed checkov check, in every configuration
// tested, and on a skip that no longer matches a finding.
// The summary it keeps in docs/security.md is the count for each
// configuration, so the figures there are the pinned checkov's.
func TestCheckov(t *testing.T) {
	used := map[string]bool{}
	var summary strings.Builder
	summary.WriteString("| configuration | passed | failed | skipped |\n|---|---|---|---|\n")
	for _, ctx := range configurations {
		r := runCheckov(t, ctx)
		for _, f := range r.Results.FailedChecks {
			t.Errorf("%v: %s (%s) failed on %s", ctx, f.CheckID, f.CheckName, f.Resource)
		}
		for _, s := range r.Results.SkippedChecks {
			used[s.CheckID+" "+logicalPrefix(s.Resource)] = true
		}
		fmt.Fprintf(&summary, "| %s | %d | %d | %d |\n", describe(ctx), r.Summary.Passed, r.Summary.Failed, r.Summary.Skipped)
	}
	snapshot.CheckSection(t, "../docs/security.md", "checkov summary", summary.String())
	for _, s := range stacks.CheckovSkips() {
		if !used[s.Check+" "+strings.ReplaceAll(strings.ReplaceAll(s.Path, "/", ""), ":", "")] {
			t.Errorf("the skip of %s on %s matches nothing: remove it", s.Check, s.Path)
		}
	}
}

// logicalPrefix turns checkov's "AWS::Lambda::Function.LoadData5949574C"
// into the construct path it came from, less its hash: "LoadData".
func logicalPrefix(resource string) string {
	id := logicalID(resource)
	if len(id) > 8 {
		id = id[:len(id)-8]
	}
	return id
}

// logicalID is the logical id in checkov's "AWS::Lambda::Function.LoadData5949574C".
func logicalID(resource string) string {
	return resource[strings.LastIndex(resource, ".")+1:]
}

// TestCheckovTable keeps docs/security.md's table of checkov skips
// generated from stacks.CheckovSkips.
func TestCheckovTable(t *testing.T) {
	var b strings.Builder
	b.WriteString("| check | resource | reason |\n|---|---|---|\n")
	for _, s := range stacks.CheckovSkips() {
		note := ""
		if s.Only != "" {
			note = " (" + s.Only + ")"
		}
		fmt.Fprintf(&b, "| %s | `%s`%s | %s |\n", s.Check, s.Path, note, s.Reason)
	}
	snapshot.CheckSection(t, "../docs/security.md", "checkov skips", b.String())
}

// describe names a configuration as a reader would set it.
func describe(ctx map[string]any) string {
	if len(ctx) == 0 {
		return "defaults"
	}
	keys := make([]string, 0, len(ctx))
	for k := range ctx {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("`%s=%v`", k, ctx[k])
	}
	return strings.Join(parts, ", ")
}
