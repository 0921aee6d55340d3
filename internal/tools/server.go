package tools

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"syscall"
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
	stderr  *tail
}

// errEnded is a process that ended before it replied.
var errEnded = errors.New("it ended without a reply")

// tail keeps the last tailSize bytes written to it, for one request: what
// a process writes to stderr while answering others is dropped.
type tail struct {
	mu  sync.Mutex
	buf []byte
}

const tailSize = 16 << 10

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > tailSize {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-tailSize:]...)
	}
	return len(p), nil
}

func (t *tail) Reset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = t.buf[:0]
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

// NewServer returns a server whose processes start is called to make,
// at most size at a time.
func NewServer(size int, start func() (*exec.Cmd, error)) *Server {
	return &Server{start: start, slots: make(chan struct{}, max(size, 1))}
}

// Exchange sends request as one line of JSON to a process and decodes its
// one-line reply into reply. A process that fails, or whose reply does not
// decode (it would be out of step from then on), is stopped, and the error
// carries its stderr and InstallHint; the next request starts another.
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
	if err := json.Unmarshal(out, reply); err != nil {
		return p.fail(fmt.Errorf("decoding its reply: %v", err))
	}
	p.stderr.Reset() // a later failure quotes its own request's stderr
	s.give(p)
	return nil
}

// take returns an idle process that is still running, or a new one.
func (s *Server) take() (*process, error) {
	s.mu.Lock()
	for len(s.idle) > 0 {
		p := s.idle[len(s.idle)-1]
		s.idle = s.idle[:len(s.idle)-1]
		if !p.ended() {
			s.mu.Unlock()
			return p, nil
		}
		p.stdin.Close()
	}
	s.mu.Unlock()
	cmd, err := s.start()
	if err != nil {
		return nil, err
	}
	p := &process{cmd: cmd, stderr: &tail{}}
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

// ended says whether an idle process has exited (and reaps it): a tool
// may stop on its own between requests.
func (p *process) ended() bool {
	pid, err := syscall.Wait4(p.cmd.Process.Pid, nil, syscall.WNOHANG, nil)
	return err != nil || pid != 0
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
		return nil, errEnded
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
