package local

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// sparkRunner talks to glue_scripts/local_runner.py: one Python process,
// one SparkSession, jobs run one at a time (as a shared local metastore
// requires), in the order asked.
type sparkRunner struct {
	mu    sync.Mutex
	cmd   *exec.Cmd
	stdin io.WriteCloser
	// replies are read a line at a time, whatever its length: a query's
	// 1,000 rows are a line of far more than a bufio.Scanner's 64 KiB.
	replies *bufio.Reader
	// log is the file the runner's stderr goes to, quoted when it dies.
	log *os.File
	// gone is set once a request found the runner dead: a session starts
	// another for its next request.
	gone atomic.Bool
}

// dead says whether a request found the runner ended.
func (r *sparkRunner) dead() bool { return r.gone.Load() }

type jobReply struct {
	Rows    int     `json:"rows"`
	Seconds float64 `json:"seconds"`
	Error   string  `json:"error"`
	Cause   string  `json:"cause"`
	Ready   bool    `json:"ready"`
	Quality
}

// startSpark launches the runner and waits until its session is up. The
// jobs' own output goes to log. The runner inherits the state folder's
// lock, so the folder stays locked until the runner too has ended, and is
// told this process's id, so that it ends soon after this process does,
// however it ends (glue_scripts/local_runner.py's exit_with_parent).
func startSpark(python, runner, stateDir string, log, lock *os.File) (*sparkRunner, error) {
	cmd := exec.Command(python, runner, stateDir)
	cmd.Stderr = log
	cmd.ExtraFiles = []*os.File{lock}
	cmd.Env = append(os.Environ(), "PYTHONUNBUFFERED=1", "LOCAL_RUN_PID="+strconv.Itoa(os.Getpid()))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w (run make test or make local, which create the Python environment)", python, err)
	}
	r := &sparkRunner{cmd: cmd, stdin: stdin, replies: bufio.NewReader(stdout), log: log}
	var ready jobReply
	if err := r.read(&ready); err != nil || !ready.Ready {
		r.close()
		return nil, r.died("did not start", err)
	}
	return r, nil
}

// logLines is how much of its log a runner's death quotes.
const logLines = 20

// logStart begins the line that opens each runner's part of spark.log,
// which grows across runs: a death quotes only what follows it.
const logStart = "=== local Spark runner started "

// openLog opens dir/spark.log for appending and marks where this runner's
// part of it starts.
func openLog(dir string) (*os.File, error) {
	log, err := os.OpenFile(filepath.Join(dir, "spark.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(log, "%s%s by process %d ===\n", logStart, time.Now().UTC().Format(time.RFC3339), os.Getpid())
	return log, nil
}

// died says how the runner ended: the reason alone is rarely more than
// "unexpected EOF", so the last lines of its log follow.
func (r *sparkRunner) died(what string, err error) error {
	r.gone.Store(true)
	msg := fmt.Sprintf("the local Spark runner %s: %v", what, err)
	if tail := lastLines(r.log.Name(), logLines); tail != "" {
		msg += fmt.Sprintf("\nthe last lines of %s:\n%s", r.log.Name(), tail)
	}
	return errors.New(msg)
}

// lastLines returns the last n lines of the file at path, indented, or ""
// if it is empty or cannot be read. The log grows with every run, so only
// its end is read.
func lastLines(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	const window = 64 << 10
	if info, err := f.Stat(); err == nil && info.Size() > window {
		f.Seek(-window, io.SeekEnd)
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return ""
	}
	if i := strings.LastIndex(string(b), logStart); i >= 0 {
		b = b[i:]
		if nl := bytes.IndexByte(b, '\n'); nl >= 0 {
			b = b[nl+1:]
		}
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) == 1 && lines[0] == "" {
		return ""
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "  " + strings.Join(lines, "\n  ")
}

func (r *sparkRunner) read(v any) error {
	line, err := r.replies.ReadBytes('\n')
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	if err != nil {
		return err
	}
	return json.Unmarshal(line, v)
}

// run executes one job script and returns its reply. Jobs run one at a
// time: a job asked for while another runs waits, and is told so by
// waiting; started is called when it starts, and ended with its reply
// before the next job may start, so what they report keeps the jobs'
// order.
func (r *sparkRunner) run(script string, pythonpath, argv []string, waiting, started func(), ended func(jobReply)) (jobReply, error) {
	if !r.mu.TryLock() {
		waiting()
		r.mu.Lock()
	}
	defer r.mu.Unlock()
	started()
	var reply jobReply
	if err := r.ask(map[string]any{"script": script, "pythonpath": pythonpath, "argv": argv}, &reply); err != nil {
		return jobReply{}, err
	}
	ended(reply)
	return reply, nil
}

// request sends one request that is no job (a query, an undo) and reads
// its reply into reply, after any job or request under way.
func (r *sparkRunner) request(request, reply any) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ask(request, reply)
}

// ask sends one request and reads its reply into reply; the caller holds
// r.mu.
func (r *sparkRunner) ask(request, reply any) error {
	req, err := json.Marshal(request)
	if err != nil {
		return err
	}
	if _, err := r.stdin.Write(append(req, '\n')); err != nil {
		return r.died("stopped", err)
	}
	if err := r.read(reply); err != nil {
		return r.died("stopped", err)
	}
	return nil
}

// close ends the runner once its job is done. One that a request found
// dead may still be alive, out of step or stuck writing: it is killed.
func (r *sparkRunner) close() {
	r.stdin.Close()
	if r.dead() {
		r.cmd.Process.Kill()
	}
	r.cmd.Wait()
	r.log.Close()
}
