package rehearse

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"
)

// A shell runs the rehearsal's commands against the emulator and prints
// one line per step.
type shell struct {
	root string   // module root: make and the CDK CLI run there
	env  []string // Environment's, plus the project's Node on PATH
	out  io.Writer
	log  *os.File // every command's full output
}

// step prints what is being done, runs f and prints how long it took.
func (s *shell) step(what string, f func() error) error {
	fmt.Fprintf(s.out, "rehearse: %s ... ", what)
	start := time.Now()
	if err := f(); err != nil {
		// This line names the step; the error, printed last, says why.
		fmt.Fprintf(s.out, "FAILED (%.0f s)\n", time.Since(start).Seconds())
		return err
	}
	fmt.Fprintf(s.out, "ok (%.0f s)\n", time.Since(start).Seconds())
	return nil
}

// run runs a command in dir (the module root when empty) and returns its
// combined output; a failure's error carries the output's tail.
func (s *shell) run(dir string, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	if dir == "" {
		cmd.Dir = s.root
	}
	cmd.Env = s.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	fmt.Fprintf(s.log, "\n$ (cd %s && %s %s)\n", cmd.Dir, name, strings.Join(args, " "))
	err := cmd.Run()
	s.log.Write(out.Bytes())
	if err != nil {
		return out.String(), fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, tail(out.String(), 15))
	}
	return out.String(), nil
}

// tail is the last n lines of text.
func tail(text string, n int) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
