// Package aslrun executes a state machine definition locally with the
// aws-local-stepfunctions interpreter, every Task mocked by state name, and
// reports which states ran. It is how the tests prove what a partial run
// does without AWS.
//
// The interpreter runs JSONPath states only; the leading JSONata states (the
// input validation) are evaluated with the jsonata package at 2.0.6, the
// version Step Functions ships, and the interpreter continues from the state
// they select (see run.js). Node 22 and both packages come from the
// project's .tools/node_modules, which make installs.
package aslrun

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/partialruns/velib-pipeline/internal/modroot"
)

//go:embed run.js
var runner string

// Failure is an error a mocked task throws.
type Failure struct {
	Error string `json:"error"`
	Cause string `json:"cause,omitempty"`
}

// Mock says what a Task does: throw each of Failures once, in order, then
// return Output.
type Mock struct {
	Failures []Failure `json:"failures,omitempty"`
	Output   any       `json:"output,omitempty"`
}

// Case is one execution: its input (nil means none, which Step Functions
// treats as {}) and the mocks by state name. A Task with no mock fails with
// Harness.Unmocked.
type Case struct {
	Input json.RawMessage `json:"input,omitempty"`
	Mocks map[string]Mock `json:"mocks,omitempty"`
}

// Result is how an execution ended and what it went through.
type Result struct {
	Status      string `json:"status"` // SUCCEEDED or FAILED
	Error       string `json:"error"`
	Cause       string `json:"cause"`
	FailedState string `json:"failedState"`
	Output      any    `json:"output"`
	// Entered lists every state entered, in order, those in Parallel
	// branches included; a retried state appears once.
	Entered []string `json:"entered"`
	// Retries lists the states retried, once per retry.
	Retries []string `json:"retries"`
	// Transitions counts states entered plus retries, the unit Step
	// Functions bills.
	Transitions int `json:"transitions"`
	// Calls are the mocked tasks' invocations, in order, with the input
	// each received (after Parameters or Arguments were applied).
	Calls []Call `json:"calls"`
}

// Call is one invocation of a mocked task.
type Call struct {
	State string `json:"state"`
	Input any    `json:"input"`
}

// Run executes definition (plain ASL JSON, see package asl) once per case.
// startTime is the execution start time the context reports.
func Run(definition []byte, startTime string, cases []Case) ([]Result, error) {
	rewritten, err := RewriteNegatedTests(definition)
	if err != nil {
		return nil, err
	}
	in, err := json.Marshal(map[string]any{"definition": json.RawMessage(rewritten), "startTime": startTime, "cases": cases})
	if err != nil {
		return nil, err
	}
	cmd, err := nodeCommand()
	if err != nil {
		return nil, err
	}
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("aslrun: node: %v\n%s\n(make installs Node and the interpreter into .tools/)", err, strings.TrimSpace(stderr.String()))
	}
	var results []Result
	if err := json.Unmarshal(out, &results); err != nil {
		return nil, fmt.Errorf("aslrun: decoding results: %v", err)
	}
	return results, nil
}

// nodeCommand runs run.js with the project's Node and packages.
func nodeCommand() (*exec.Cmd, error) {
	root, err := modroot.Find()
	if err != nil {
		return nil, err
	}
	modules := filepath.Join(root, ".tools", "node_modules")
	cmd := exec.Command(filepath.Join(modules, ".bin", "node"), "-e", runner)
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
	return cmd, nil
}
