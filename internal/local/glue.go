package local

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
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
func startSpark(python, runner, stateDir string, log io.Writer) (*sparkRunner, error) {
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
	r := &sparkRunner{cmd: cmd, stdin: stdin, replies: bufio.NewScanner(stdout)}
	var ready jobReply
	if err := r.read(&ready); err != nil || !ready.Ready {
		r.close()
		return nil, fmt.Errorf("the local Spark runner did not start: %v", err)
	}
	return r, nil
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
		return jobReply{}, fmt.Errorf("the local Spark runner stopped: %w", err)
	}
	var reply jobReply
	if err := r.read(&reply); err != nil {
		return jobReply{}, fmt.Errorf("the local Spark runner stopped: %w", err)
	}
	ended(reply)
	return reply, nil
}

func (r *sparkRunner) close() {
	r.stdin.Close()
	r.cmd.Wait()
}
