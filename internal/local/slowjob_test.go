package local_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/partialruns/velib-pipeline/internal/layout"
	"github.com/partialruns/velib-pipeline/internal/local"
)

// slowJobSeconds is how long the slowed job lasts at least: longer
// than the 60 s that aws-local-stepfunctions gives a Task state without a
// TimeoutSeconds of its own, where AWS gives 99,999,999 s, by enough that
// a timer firing late could not let the test pass.
const slowJobSeconds = 70

// TestSlowJobCompletes runs raw → silver slowed past a minute, as a busy
// machine or a real day of data makes it: the local run must wait for it as
// Step Functions would, and report it done. It sleeps rather than computes,
// so it runs beside the other end-to-end test at little cost. Its state
// folder's name has spaces, which Spark's Java options must keep whole.
func TestSlowJobCompletes(t *testing.T) {
	root, python, work, asm := endToEnd(t)
	slowDown(t, asm, filepath.Join(root, "glue_scripts", "velib_raw_to_silver.py"), slowJobSeconds)
	t.Parallel()

	var out bytes.Buffer
	rep, err := local.Run(context.Background(), local.Options{
		Assembly: asm, Stack: layout.StackID, Dir: filepath.Join(work, "state folder with spaces"),
		Input:  []byte(`{"velib_silver_to_gold_avg_stats": false, "velib_silver_to_gold_avail_percent": false}`),
		Python: python, Runner: filepath.Join(root, "glue_scripts", "local_runner.py"),
		Out: &out, Now: func() time.Time { return time.Date(2025, 11, 21, 8, 0, 0, 0, time.UTC) }, Feed: tinyFeed(t),
	})
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if rep.Status != "SUCCEEDED" {
		t.Fatalf("a job of over %d s: execution %s at %s: %s: %s\n%s", slowJobSeconds, rep.Status, rep.FailedState, rep.Error, rep.Cause, out.String())
	}
	for _, s := range rep.Steps {
		if s.Task == "Raw to silver" && (s.Status != local.StepRan || s.Seconds < slowJobSeconds || s.Rows != 2*4) {
			t.Errorf("Raw to silver: %s in %.1f s, %d rows; want ran, at least %d s, 8 rows", s.Status, s.Seconds, s.Rows, slowJobSeconds)
		}
	}
	if !strings.Contains(out.String(), "done   Raw to silver") {
		t.Errorf("the progress does not report the slow job done:\n%s", out.String())
	}
}

// slowedRun is a job script (the first verb) whose run lasts at least the
// second verb's seconds. The sleep tops the run up rather than coming
// before it: the job still lasts that long, and its own work overlaps.
const slowedRun = `%s

_run = run


def run(argv, spark):
    import time

    start = time.monotonic()
    result = _run(argv, spark)
    time.sleep(max(0.0, %d - (time.monotonic() - start)))
    return result
`

// slowDown replaces the staged copy of script in the assembly with one whose
// run lasts at least seconds.
func slowDown(t *testing.T, asm, script string, seconds int) {
	t.Helper()
	original, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	staged, _ := filepath.Glob(filepath.Join(asm, "asset.*.py"))
	for _, path := range staged {
		if b, err := os.ReadFile(path); err == nil && bytes.Equal(b, original) {
			slowed := fmt.Sprintf(slowedRun, original, seconds)
			if err := os.WriteFile(path, []byte(slowed), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatalf("no staged copy of %s in %s", script, asm)
}
