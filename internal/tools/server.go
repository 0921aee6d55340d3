package tools

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
)

// Server answers requests with long-lived processes of one command, each
// reading a request per line on stdin and writing its reply as one line
// of JSON on stdout. A test binary then pays for a tool's start (moto's
// imports take about a second) once per process instead of once per
// request. Requests from concurrent tests run at once on up to size
// processes; more wait for one of them. The processes end with the
// binary: their stdin closes, and they stop at its end.
type Server struct {
	start func() (*exec.Cmd, error)
	slots chan struct{}
	mu    sync.Mutex
	idle  []*process
}

type process struct {
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	replies *bufio.Reader
	stderr  *bytes.Buffer
}

// NewServer returns a server whose processes start is called to make,
// at most size at a time.
func NewServer(size int, start func() (*exec.Cmd, error)) *Server {
	return &Server{start: start, slots: make(chan struct{}, max(size, 1))}
}

// Exchange sends request as one line of JSON to a process and decodes its
// one-line reply into reply. A process that fails is stopped, and the
// error carries its stderr and InstallHint; the next request starts
// another.
func (s *Server) Exchange(request, reply any) error {
	line, err := json.Marshal(request)
	if err != nil {
		return err
	}
	s.slots <- struct{}{}
	defer func() { <-s.slots }()
	p, err := s.take()
	if err != nil {
		return err
	}
	out, err := p.ask(append(line, '\n'))
	if err != nil {
		return p.fail(err)
	}
	s.give(p)
	if err := json.Unmarshal(out, reply); err != nil {
		return fmt.Errorf("decoding the reply of %s: %v", p.cmd.Path, err)
	}
	return nil
}

func (s *Server) take() (*process, error) {
	s.mu.Lock()
	if n := len(s.idle); n > 0 {
		p := s.idle[n-1]
		s.idle = s.idle[:n-1]
		s.mu.Unlock()
		return p, nil
	}
	s.mu.Unlock()
	cmd, err := s.start()
	if err != nil {
		return nil, err
	}
	p := &process{cmd: cmd, stderr: &bytes.Buffer{}}
	cmd.Stderr = p.stderr
	if p.stdin, err = cmd.StdinPipe(); err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %v %s", cmd.Path, err, InstallHint)
	}
	p.replies = bufio.NewReader(stdout)
	return p, nil
}

func (s *Server) give(p *process) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.idle = append(s.idle, p)
}

// ask writes one request line and reads one reply line.
func (p *process) ask(line []byte) ([]byte, error) {
	if _, err := p.stdin.Write(line); err != nil {
		return nil, err
	}
	out, err := p.replies.ReadBytes('\n')
	if errors.Is(err, io.EOF) && len(out) == 0 {
		return nil, errors.New("it ended without a reply")
	}
	return out, err
}

// fail stops p and says why it failed, with what it wrote to stderr.
func (p *process) fail(err error) error {
	p.stdin.Close()
	p.cmd.Process.Kill()
	p.cmd.Wait()
	return fmt.Errorf("%s: %v\n%s\n%s", p.cmd.Path, err, strings.TrimSpace(p.stderr.String()), InstallHint)
}
