package local_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/partialruns/velib-pipeline/internal/local"
	"github.com/partialruns/velib-pipeline/internal/tools"
)

// These tests run local.Run on a hand-written assembly whose one task is a
// Glue job, with testdata/fakerunner.py in place of the Spark runner: what
// they check (the folder's lock, the runner's death, the interpreter's
// timers) needs no Spark, and gets none of its start-up time.

const fakeStack = "Fake"

// fakeAssembly writes an assembly into a new folder: a state machine whose
// one guard (flag "job") runs the job script testdata/<job> as a Glue task,
// with the task's own fields (such as "TimeoutSeconds": 1) spliced in.
func fakeAssembly(t *testing.T, job, taskFields string) string {
	t.Helper()
	dir := t.TempDir()
	script, err := os.ReadFile(filepath.Join("testdata", job))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "asset.job.py"), script, 0o644); err != nil {
		t.Fatal(err)
	}
	definition := `{"StartAt": "Run job?", "States": {
		"Run job?": {"Type": "Choice", "Default": "Done", "Choices": [
			{"Variable": "$.job", "IsPresent": false, "Next": "Job"}, {"Variable": "$.job", "BooleanEquals": true, "Next": "Job"}]},
		"Job": {"Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun.sync",
			"Parameters": {"JobName": "Job", "Arguments.$": "$.arguments"}, ` + taskFields + ` "Next": "Done"},
		"Done": {"Type": "Succeed"}}}`
	template := map[string]any{"Resources": map[string]any{
		"Machine": map[string]any{"Type": "AWS::StepFunctions::StateMachine", "Properties": map[string]any{"DefinitionString": definition}},
		"Job": map[string]any{"Type": "AWS::Glue::Job", "Properties": map[string]any{"Name": "job",
			"Command": map[string]any{"ScriptLocation": "s3://cdk-hnb659fds-assets-123456789012-eu-west-3/job.py"}}},
	}}
	b, err := json.Marshal(template)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, fakeStack+".template.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// fakeRun runs the fake assembly asm once on the state folder dir, with the
// given runner script from testdata and the job's arguments.
func fakeRun(t *testing.T, asm, dir, runner string, arguments map[string]string) (*local.Report, string, error) {
	t.Helper()
	python, runnerPath := fakeTools(t, runner)
	input, err := json.Marshal(map[string]any{"arguments": arguments})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	rep, err := local.Run(context.Background(), local.Options{
		Assembly: asm, Stack: fakeStack, Dir: dir, Input: input,
		Python: python, Runner: runnerPath, Out: &out,
	})
	return rep, out.String(), err
}

// fakeTools are the project's Python and the runner script testdata/runner.
func fakeTools(t *testing.T, runner string) (python, runnerPath string) {
	t.Helper()
	python, err := tools.VenvBin("python")
	if err != nil {
		t.Fatal(err)
	}
	if runnerPath, err = filepath.Abs(filepath.Join("testdata", runner)); err != nil {
		t.Fatal(err)
	}
	return python, runnerPath
}

// TestRunnerDeathQuotesItsLog: when the runner dies, before its session is
// up or under a job, the task fails with a cause that carries the last
// lines of its log, where the reason is (the protocol alone says only
// "unexpected EOF").
func TestRunnerDeathQuotesItsLog(t *testing.T) {
	tests := []struct {
		name, job, runner string
		want              []string
	}{
		{"dies before it is ready", "sleep.py", "nostart.py",
			[]string{"the local Spark runner did not start", "the last lines of", "spark.log", "JAVA_HOME is not set and no java on PATH (the runner's last word)"}},
		{"dies under a job", "crash.py", "fakerunner.py",
			[]string{"the local Spark runner stopped: unexpected EOF", "the last lines of", "spark.log", "java.lang.OutOfMemoryError: Java heap space (the job's last word)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// The log holds an earlier run's last words, which are not this
			// run's reason.
			dir := t.TempDir()
			earlier := "Py4JError: an earlier run's traceback"
			if err := os.WriteFile(filepath.Join(dir, "spark.log"), []byte(earlier+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			rep, out, err := fakeRun(t, fakeAssembly(t, tc.job, ""), dir, tc.runner, map[string]string{"--seconds": "0"})
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if rep.Status != "FAILED" || rep.FailedState != "Job" {
				t.Fatalf("execution %s at %q, want FAILED at Job\n%s", rep.Status, rep.FailedState, out)
			}
			for _, want := range tc.want {
				if !strings.Contains(rep.Cause, want) {
					t.Errorf("the cause lacks %q:\n%s", want, rep.Cause)
				}
			}
			if strings.Contains(rep.Cause, earlier) {
				t.Errorf("the cause quotes an earlier run's log:\n%s", rep.Cause)
			}
		})
	}
}

// TestTaskTimeoutFailsTheStep: a task the interpreter stops with its own
// TimeoutSeconds failed, and the summary says so, though the job went on
// to finish.
func TestTaskTimeoutFailsTheStep(t *testing.T) {
	t.Parallel()
	asm := fakeAssembly(t, "sleep.py", `"TimeoutSeconds": 1,`)
	rep, out, err := fakeRun(t, asm, t.TempDir(), "fakerunner.py", map[string]string{"--seconds": "3"})
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if rep.Status != "FAILED" || rep.Error != "States.Timeout" || rep.FailedState != "Job" {
		t.Fatalf("execution %s at %q: %s; want FAILED at Job: States.Timeout\n%s", rep.Status, rep.FailedState, rep.Error, out)
	}
	for _, line := range []string{"Job                    failed", "execution FAILED at Job"} {
		if !strings.Contains(out, line) {
			t.Errorf("the summary lacks %q:\n%s", line, out)
		}
	}
}

// TestAFailedJobStillReportsItsCounts: raw → silver writes every system's
// good rows and rejects, then fails for one system's day; the summary gives
// every system's counts, not only the failure's message.
func TestAFailedJobStillReportsItsCounts(t *testing.T) {
	t.Parallel()
	asm := fakeAssembly(t, "partial.py", "")
	rep, out, err := fakeRun(t, asm, t.TempDir(), "fakerunner.py", nil)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if rep.Status != "FAILED" {
		t.Fatalf("execution %s, want FAILED\n%s", rep.Status, out)
	}
	for _, line := range []string{
		"Job: citybikes: 3 rows rejected to velib_data_rejects (bad_time 3)",
		"Job: velib: 1 rows rejected to velib_data_rejects (negative_count 1)",
		"Job: 2 rows with more bikes than capacity",
	} {
		if !strings.Contains(out, line) {
			t.Errorf("the summary lacks %q:\n%s", line, out)
		}
	}
}

// TestOneRunPerFolder runs make local's code twice on one state folder: the
// second stops at once, naming the holder and how to run beside it, and
// starts nothing; once the first is killed (SIGKILL, no clean-up), the
// folder is free again, with no stale lock to remove by hand.
func TestOneRunPerFolder(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), ".local")
	asm := fakeAssembly(t, "hang.py", "")

	// The first run, in a process of its own, hangs in its job.
	holder := exec.Command(os.Args[0])
	holder.Env = append(os.Environ(), "HOLD_ASSEMBLY="+asm, "HOLD_DIR="+dir)
	stdout, err := holder.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var holderErr bytes.Buffer
	holder.Stderr = &holderErr
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	defer holder.Process.Kill()
	if !waitForLine(stdout, "start  Job", time.Minute) {
		t.Fatalf("the first run never started its job within a minute\n%s", holderErr.String())
	}

	rep, out, err := fakeRun(t, asm, dir, "fakerunner.py", nil)
	var busy *local.BusyError
	if !errors.As(err, &busy) {
		t.Fatalf("second run on %s: report %v, error %v; want a BusyError\n%s", dir, rep, err, out)
	}
	for _, want := range []string{fmt.Sprintf("another local run (process %d) is using the state folder %s", holder.Process.Pid, dir), "make local LOCAL_DIR=" + dir + "-2"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error lacks %q: %v", want, err)
		}
	}
	if out != "" {
		t.Errorf("the second run started something:\n%s", out)
	}

	children := childrenOf(t, holder.Process.Pid)
	if len(children) == 0 {
		t.Fatal("the first run has no child processes (the interpreter, the runner)")
	}
	if err := holder.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	holder.Wait()
	// Its children see their input close and end: a killed run leaves no
	// interpreter or runner behind.
	for _, pid := range children {
		if !waitGone(pid, time.Minute) {
			t.Errorf("process %d (%s) of the killed run was still alive a minute later", pid, command(pid))
		}
	}
	rep, out, err = fakeRun(t, fakeAssembly(t, "sleep.py", ""), dir, "fakerunner.py", map[string]string{"--seconds": "0"})
	if err != nil || rep.Status != "SUCCEEDED" {
		t.Fatalf("after the first run was killed: %v, %v\n%s", rep, err, out)
	}
}

// holdFolder is TestOneRunPerFolder's first run, in a process of its own
// (TestMain runs it instead of the tests when HOLD_DIR is set).
func holdFolder() {
	python, err := tools.VenvBin("python")
	if err != nil {
		panic(err)
	}
	runner, err := filepath.Abs(filepath.Join("testdata", "fakerunner.py"))
	if err != nil {
		panic(err)
	}
	local.Run(context.Background(), local.Options{
		Assembly: os.Getenv("HOLD_ASSEMBLY"), Stack: fakeStack, Dir: os.Getenv("HOLD_DIR"), Input: []byte(`{"arguments": {}}`),
		Python: python, Runner: runner, Out: os.Stdout,
	})
}

// waitForLine reads r until a line holds want, or gives up after limit.
func waitForLine(r interface{ Read([]byte) (int, error) }, want string, limit time.Duration) bool {
	found := make(chan bool, 1)
	go func() {
		scanner := bufio.NewScanner(r)
		for scanner.Scan() {
			if strings.Contains(scanner.Text(), want) {
				found <- true
				return
			}
		}
		found <- false
	}()
	select {
	case ok := <-found:
		return ok
	case <-time.After(limit):
		return false
	}
}

// childrenOf lists the processes whose parent is pid, from /proc.
func childrenOf(t *testing.T, pid int) []int {
	t.Helper()
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil {
		t.Fatal(err)
	}
	var out []int
	for _, path := range stats {
		b, err := os.ReadFile(path)
		if err != nil {
			continue // it ended meanwhile
		}
		// The command, in parentheses, may hold spaces: the fields after
		// its closing parenthesis are state, then the parent's pid.
		fields := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		if len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			child, _ := strconv.Atoi(filepath.Base(filepath.Dir(path)))
			out = append(out, child)
		}
	}
	return out
}

// waitGone waits until process pid has ended (or is a zombie), for at most
// limit.
func waitGone(pid int, limit time.Duration) bool {
	for end := time.Now().Add(limit); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return true
		}
		if fields := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:])); len(fields) > 0 && fields[0] == "Z" {
			return true
		}
	}
	return false
}

// command is a process's command line, for messages.
func command(pid int) string {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	return abbreviate(strings.ReplaceAll(string(b), "\x00", " "), 80)
}

func abbreviate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// TestSession: a session's requests share its runner, start another once
// one died, and go to its own folder only.
func TestSession(t *testing.T) {
	t.Parallel()
	python, runner := fakeTools(t, "fakerunner.py")
	dir := t.TempDir()
	session, err := local.Open(dir, python, runner)
	if err != nil {
		t.Fatal(err)
	}
	defer session.Close()
	run := func(asm string, opts local.Options) (*local.Report, string, error) {
		var out bytes.Buffer
		opts.Assembly, opts.Stack, opts.Out = asm, fakeStack, &out
		opts.Input = json.RawMessage(`{"arguments": {"--seconds": "0"}}`)
		rep, err := session.Run(context.Background(), opts)
		return rep, out.String(), err
	}
	crash, sleep := fakeAssembly(t, "crash.py", ""), fakeAssembly(t, "sleep.py", "")

	starts := func(out string) int { return strings.Count(out, "starting local Spark") }
	steps := []struct {
		name, asm, status string
		starts            int
	}{
		{"the first job starts the runner", sleep, "SUCCEEDED", 1},
		{"the next reuses it", sleep, "SUCCEEDED", 0},
		{"a job kills it", crash, "FAILED", 0},
		{"the next starts another", sleep, "SUCCEEDED", 1},
		{"a reply far longer than 64 KiB is read whole", fakeAssembly(t, "bigreply.py", ""), "SUCCEEDED", 0},
		{"and the runner goes on", sleep, "SUCCEEDED", 0},
	}
	for _, step := range steps {
		rep, out, err := run(step.asm, local.Options{})
		if err != nil {
			t.Fatalf("%s: %v\n%s", step.name, err, out)
		}
		if rep.Status != step.status || starts(out) != step.starts {
			t.Errorf("%s: %s with %d Spark starts, want %s with %d\n%s", step.name, rep.Status, starts(out), step.status, step.starts, out)
		}
	}

	// The same folder through a link is the session's.
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	if rep, out, err := run(sleep, local.Options{Dir: link}); err != nil || rep.Status != "SUCCEEDED" {
		t.Errorf("a run through a link to the session's folder: %v\n%s", err, out)
	}

	other := t.TempDir()
	if _, _, err := run(sleep, local.Options{Dir: other}); err == nil || !strings.Contains(err.Error(), "the session holds the state folder") {
		t.Errorf("a run for another folder: %v", err)
	}
	if _, err := os.Stat(filepath.Join(other, "spark")); !os.IsNotExist(err) {
		t.Errorf("the refused run wrote to its folder: %v", err)
	}
	// Closed, the session refuses requests: the folder may be another's.
	session.Close()
	taken, err := local.Open(dir, python, runner)
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	if _, _, err := run(sleep, local.Options{}); !errors.Is(err, local.ErrClosed) {
		t.Errorf("a run on a closed session: %v, want ErrClosed", err)
	}
	if err := session.Query(local.QueryOptions{SQL: "SELECT 1"}); !errors.Is(err, local.ErrClosed) {
		t.Errorf("a query on a closed session: %v, want ErrClosed", err)
	}
}

// TestSessionRequestsWaitForTheJob: an undo asked for while a run's job is
// under way waits for it, and each gets its own reply.
func TestSessionRequestsWaitForTheJob(t *testing.T) {
	t.Parallel()
	python, runner := fakeTools(t, "fakerunner.py")
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "spark"), 0o755); err != nil {
		t.Fatal(err)
	}
	session, err := local.Open(dir, python, runner)
	if err != nil {
		t.Fatal(err)
	}
	defer session.Close()
	sleep, undoer := fakeAssembly(t, "sleep.py", ""), maintenanceAssembly(t, "undojob.py")

	ran := make(chan error, 1)
	var runOut lockedBuffer
	go func() {
		rep, err := session.Run(context.Background(), local.Options{Assembly: sleep, Stack: fakeStack, Out: &runOut,
			Input: json.RawMessage(`{"arguments": {"--seconds": "2"}}`)})
		if err == nil && rep.Status != "SUCCEEDED" {
			err = fmt.Errorf("%s: %s", rep.Status, rep.Cause)
		}
		ran <- err
	}()
	for !strings.Contains(runOut.String(), "start  Job") {
		time.Sleep(50 * time.Millisecond)
	}
	var undone bytes.Buffer
	if err := session.Undo(local.UndoOptions{Assembly: undoer, Stack: fakeStack, Execution: "arn:x", Out: &undone}); err != nil {
		t.Errorf("the undo beside the run: %v", err)
	}
	if got := strings.TrimSpace(undone.String()); got != "velib_lake.t: snapshot 7 -> snapshot 6" {
		t.Errorf("the undo printed %q, not its own reply", got)
	}
	if err := <-ran; err != nil {
		t.Errorf("the run beside the undo: %v\n%s", err, runOut.String())
	}
}

// maintenanceAssembly is fakeAssembly's, its job given the --action
// argument by which Undo finds the maintenance job.
func maintenanceAssembly(t *testing.T, job string) string {
	t.Helper()
	asm := fakeAssembly(t, job, "")
	path := filepath.Join(asm, fakeStack+".template.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var template map[string]any
	if err := json.Unmarshal(b, &template); err != nil {
		t.Fatal(err)
	}
	props := template["Resources"].(map[string]any)["Job"].(map[string]any)["Properties"].(map[string]any)
	props["DefaultArguments"] = map[string]any{"--action": "housekeeping"}
	if b, err = json.Marshal(template); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return asm
}

// lockedBuffer is a buffer that one goroutine writes while another reads.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
