package aslrun

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
// in order. Unlike Run, nothing is mocked: the handler does the work.
func RunLive(definition []byte, startTime string, input json.RawMessage, handle Handler, onEvent func(Event)) (Result, error) {
	rewritten, err := RewriteNegatedTests(definition)
	if err != nil {
		return Result{}, err
	}
	if input == nil {
		input = json.RawMessage(`{}`)
	}
	request, err := json.Marshal(map[string]any{"definition": json.RawMessage(rewritten), "startTime": startTime, "live": map[string]any{"input": input}})
	if err != nil {
		return Result{}, err
	}
	cmd, err := nodeCommand()
	if err != nil {
		return Result{}, err
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return Result{}, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return Result{}, err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return Result{}, err
	}
	var writeMu sync.Mutex
	write := func(v any) {
		b, _ := json.Marshal(v)
		writeMu.Lock()
		defer writeMu.Unlock()
		stdin.Write(append(b, '\n'))
	}
	write(json.RawMessage(request))

	var result *Result
	var calls sync.WaitGroup
	scanner := bufio.NewScanner(stdout)
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
			return Result{}, fmt.Errorf("aslrun: runner said %q: %v", line, err)
		}
		switch msg.Type {
		case "call":
			calls.Add(1)
			go func() {
				defer calls.Done()
				out, err := handle(msg.State, msg.Input)
				var te *TaskError
				switch {
				case errors.As(err, &te):
					write(map[string]any{"id": msg.ID, "error": te.Name, "cause": te.Cause})
				case err != nil:
					write(map[string]any{"id": msg.ID, "error": "Local.Error", "cause": err.Error()})
				default:
					write(map[string]any{"id": msg.ID, "output": out})
				}
			}()
		case "event":
			var e Event
			if err := json.Unmarshal(line, &e); err == nil && onEvent != nil {
				onEvent(e)
			}
		case "result":
			var r Result
			if err := json.Unmarshal(line, &r); err != nil {
				return Result{}, err
			}
			result = &r
		}
	}
	calls.Wait()
	stdin.Close()
	io.Copy(io.Discard, stdout)
	if err := cmd.Wait(); err != nil || result == nil {
		return Result{}, fmt.Errorf("aslrun: node: %v\n%s", err, strings.TrimSpace(stderr.String()))
	}
	return *result, nil
}
