package aslrun

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

// Handler carries out one Task for RunLive: state is the Task's name and
// input what it received after Parameters or Arguments. Return a
// *TaskError to fail the task with a Step Functions error name.
type Handler func(state string, input json.RawMessage) (any, error)

// TaskError fails a task with an error name, as a service integration does
// (for instance States.TaskFailed when a Glue job run fails).
type TaskError struct{ Name, Cause string }

func (e *TaskError) Error() string { return e.Name + ": " + e.Cause }

// Event is a state entered, reported while RunLive runs.
type Event struct {
	State     string          `json:"state"`
	StateType string          `json:"stateType"`
	Input     json.RawMessage `json:"input"`
}

// RunLive executes definition once with input, handing every Task to handle
// (concurrently, for Parallel branches) and every state entered to onEvent,
// in order. A task is handed over only after onEvent has seen it entered,
// so what the handler prints follows what led to it. Unlike Run, nothing
// is mocked: the handler does the work.
func RunLive(definition []byte, executionID, startTime string, input json.RawMessage, handle Handler, onEvent func(Event)) (Result, error) {
	rewritten, err := Rewrite(definition)
	if err != nil {
		return Result{}, err
	}
	if input == nil {
		input = json.RawMessage(`{}`)
	}
	request, err := json.Marshal(map[string]any{"definition": json.RawMessage(rewritten), "startTime": startTime, "live": map[string]any{"input": input, "executionId": executionID}})
	if err != nil {
		return Result{}, err
	}
	s, err := startSession()
	if err != nil {
		return Result{}, err
	}
	s.write(json.RawMessage(request))
	result, readErr := s.serve(handle, onEvent)
	if err := s.close(); err != nil || readErr != nil || result == nil {
		return Result{}, fmt.Errorf("aslrun: node: %v\n%s", errors.Join(readErr, err), strings.TrimSpace(s.stderr.String()))
	}
	return *result, nil
}

// session is run.js in live mode: requests go to its stdin one JSON line
// at a time, and its stdout is read line by line.
type session struct {
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	stdout  io.ReadCloser
	stderr  bytes.Buffer
	writeMu sync.Mutex
	calls   sync.WaitGroup
}

func startSession() (*session, error) {
	cmd, err := nodeCommand()
	if err != nil {
		return nil, err
	}
	s := &session{cmd: cmd}
	if s.stdin, err = cmd.StdinPipe(); err != nil {
		return nil, err
	}
	if s.stdout, err = cmd.StdoutPipe(); err != nil {
		return nil, err
	}
	cmd.Stderr = &s.stderr
	return s, cmd.Start()
}

// write sends one line; task handlers write concurrently.
func (s *session) write(v any) {
	b, _ := json.Marshal(v)
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.stdin.Write(append(b, '\n'))
}

// serve reads the runner's lines until it ends: it answers each task call
// from its own goroutine, passes events on, and returns the result. The
// runner reports states entered from an asynchronous log, which can trail
// the call itself: a call for a state not yet reported waits for its
// event.
func (s *session) serve(handle Handler, onEvent func(Event)) (*Result, error) {
	var result *Result
	type call struct {
		id    int
		input json.RawMessage
	}
	entered := map[string]bool{}
	held := map[string][]call{}
	scanner := bufio.NewScanner(s.stdout)
	scanner.Buffer(make([]byte, 1<<20), 64<<20)
	for scanner.Scan() {
		var msg struct {
			Type  string          `json:"type"`
			ID    int             `json:"id"`
			State string          `json:"state"`
			Input json.RawMessage `json:"input"`
		}
		line := scanner.Bytes()
		if err := json.Unmarshal(line, &msg); err != nil {
			return nil, fmt.Errorf("aslrun: runner said %q: %v", line, err)
		}
		switch msg.Type {
		case "call":
			s.calls.Add(1)
			if !entered[msg.State] {
				held[msg.State] = append(held[msg.State], call{msg.ID, msg.Input})
				continue
			}
			go s.answer(msg.ID, msg.State, msg.Input, handle)
		case "event":
			var e Event
			if err := json.Unmarshal(line, &e); err == nil && onEvent != nil {
				onEvent(e)
			}
			entered[msg.State] = true
			for _, c := range held[msg.State] {
				go s.answer(c.id, msg.State, c.input, handle)
			}
			delete(held, msg.State)
		case "result":
			var r Result
			if err := json.Unmarshal(line, &r); err != nil {
				return nil, err
			}
			result = &r
		}
	}
	return result, scanner.Err()
}

// answer runs one task and replies with its output or its error.
func (s *session) answer(id int, state string, input json.RawMessage, handle Handler) {
	defer s.calls.Done()
	out, err := handle(state, input)
	var te *TaskError
	switch {
	case errors.As(err, &te):
		s.write(map[string]any{"id": id, "error": te.Name, "cause": te.Cause})
	case err != nil:
		s.write(map[string]any{"id": id, "error": "Local.Error", "cause": err.Error()})
	default:
		s.write(map[string]any{"id": id, "output": out})
	}
}

// close waits for the handlers still running, then for the runner.
func (s *session) close() error {
	s.calls.Wait()
	s.stdin.Close()
	io.Copy(io.Discard, s.stdout)
	return s.cmd.Wait()
}
