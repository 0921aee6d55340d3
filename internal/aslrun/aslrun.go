// Package aslrun executes a state machine definition offline, every Task
// mocked by state name, and reports which states ran. It is how the tests
// prove what a partial run does without AWS, on two interpreters that nobody
// here wrote:
//
//   - [Run]: aws-local-stepfunctions (Node). It runs JSONPath states only, so
//     the leading JSONata states (the input validation) are evaluated with
//     jsonata-js 2.0.6, the version Step Functions documents, and the
//     interpreter continues from the state they select (see run.js).
//   - [RunMoto]: moto's Step Functions interpreter (Python, ported from
//     LocalStack), which runs JSONata states itself, with jsonata-python
//     (the Java lineage) plugged in as its engine (see motorun.py).
//
// Both come pinned from the project's .tools/, which make installs.
package aslrun

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"os/exec"
	"runtime"

	"github.com/partialruns/velib-pipeline/internal/tools"
)

var (
	//go:embed run.js
	runner string
	//go:embed motorun.py
	motoRunner string
)

// Failure is an error a mocked task throws.
type Failure struct {
	Error string `json:"error"`
	Cause string `json:"cause,omitempty"`
}

// Mock says what a Task does: throw each of Failures once, in order, then
// return Output. With ByInput, the mock is chosen per call by the task's
// input instead, e.g. one per system of a Map's iterations, which run in
// no set order; each then counts its own failures.
type Mock struct {
	Failures []Failure `json:"failures,omitempty"`
	Output   any       `json:"output,omitempty"`
	ByInput  *ByInput  `json:"byInput,omitempty"`
}

// ByInput chooses a Mock by the value at Field of the task's input (its
// Parameters or Arguments applied), a dotted path such as
// "Payload.system". A value with no mock fails the call with
// Harness.Unmocked.
type ByInput struct {
	Field string          `json:"field"`
	Mocks map[string]Mock `json:"mocks"`
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

// Run executes definition (plain ASL JSON, see package asl) once per case on
// aws-local-stepfunctions. startTime is the execution start time the context
// reports.
func Run(definition []byte, startTime string, cases []Case) ([]Result, error) {
	rewritten, err := Rewrite(definition)
	if err != nil {
		return nil, err
	}
	cmd, err := nodeCommand()
	if err != nil {
		return nil, err
	}
	return runCases(cmd, rewritten, startTime, cases)
}

// RunMoto executes definition once per case on moto's interpreter, with the
// same mocks and start time as Run, and reports in the same shape.
func RunMoto(definition []byte, startTime string, cases []Case) ([]Result, error) {
	request := map[string]any{"definition": json.RawMessage(definition), "startTime": startTime, "cases": cases}
	var results []Result
	if err := moto.Exchange(request, &results); err != nil {
		return nil, fmt.Errorf("aslrun: %w", err)
	}
	if len(results) != len(cases) {
		return nil, fmt.Errorf("aslrun: moto returned %d results for %d cases", len(results), len(cases))
	}
	return results, nil
}

// moto's processes: its imports take about a second, and a test binary
// runs it dozens of times, from concurrent tests.
var moto = tools.NewServer(runtime.GOMAXPROCS(0), func() (*exec.Cmd, error) { return tools.Python("-c", motoRunner) })

func runCases(cmd *exec.Cmd, definition []byte, startTime string, cases []Case) ([]Result, error) {
	request := map[string]any{"definition": json.RawMessage(definition), "startTime": startTime, "cases": cases}
	var results []Result
	if err := tools.Exchange(cmd, request, &results); err != nil {
		return nil, fmt.Errorf("aslrun: %w", err)
	}
	if len(results) != len(cases) {
		return nil, fmt.Errorf("aslrun: %s returned %d results for %d cases", cmd.Path, len(results), len(cases))
	}
	return results, nil
}

// nodeCommand runs run.js with the project's Node and packages.
func nodeCommand() (*exec.Cmd, error) {
	return tools.Node("-e", runner)
}
