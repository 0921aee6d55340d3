package local

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
)

// sparkRunner talks to glue_scripts/local_runner.py: one Python process,
// one SparkSession, jobs run one at a time (as a shared local metastore
// requires), in the order asked.
type sparkRunner struct {
	mu      sync.Mutex
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	replies *bufio.Scanner
	// log is the file the runner's stderr goes to, quoted when it dies.
	log *os.File
}

type jobReply struct {
	Rows    int     `json:"rows"`
	Seconds float64 `json:"seconds"`
	Error   string  `json:"error"`
	Cause   string  `json:"cause"`
	Ready   bool    `json:"ready"`
	Quality
}

// startSpark launches the runner and waits until its session is up. The
// jobs' own output goes to log.
func startSpark(python, runner, stateDir string, log *os.File) (*sparkRunner, error) {
	cmd := exec.Command(python, runner, stateDir)
	cmd.Stderr = log
	cmd.Env = append(os.Environ(), "PYTHONUNBUFFERED=1")
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
	r := &sparkRunner{cmd: cmd, stdin: stdin, replies: bufio.NewScanner(stdout), log: log}
	var ready jobReply
	if err := r.read(&ready); err != nil || !ready.Ready {
		r.close()
		return nil, r.died("did not start", err)
	}
	return r, nil
}

// logLines is how much of its log a runner's death quotes.
const logLines = 20

// died says how the runner ended: the reason alone is rarely more than
// "unexpected EOF", so the last lines of its log follow.
func (r *sparkRunner) died(what string, err error) error {
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
	if !r.replies.Scan() {
		if err := r.replies.Err(); err != nil {
			return err
		}
		return io.ErrUnexpectedEOF
	}
	return json.Unmarshal(r.replies.Bytes(), v)
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
	req, err := json.Marshal(map[string]any{"script": script, "pythonpath": pythonpath, "argv": argv})
	if err != nil {
		return jobReply{}, err
	}
	if _, err := r.stdin.Write(append(req, '\n')); err != nil {
		return jobReply{}, r.died("stopped", err)
	}
	var reply jobReply
	if err := r.read(&reply); err != nil {
		return jobReply{}, r.died("stopped", err)
	}
	ended(reply)
	return reply, nil
}

func (r *sparkRunner) close() {
	r.stdin.Close()
	r.cmd.Wait()
	r.log.Close()
}
