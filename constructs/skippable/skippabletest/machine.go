package skippabletest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/partialruns/velib-pipeline/constructs/skippable/contract"
	"github.com/partialruns/velib-pipeline/constructs/skippable/render"
)

// Machine is a state machine definition, ready to run inputs through.
type Machine struct {
	root machine
}

// machine is a definition or one of its branches, Map processors
// included.
type machine struct {
	StartAt       string                    `json:"StartAt"`
	States        map[string]map[string]any `json:"States"`
	QueryLanguage string                    `json:"QueryLanguage"`
}

// Load reads a state machine definition: plain Amazon States Language, or
// a CloudFormation template (as cdk synth writes it) holding exactly one
// state machine.
func Load(definition []byte) (*Machine, error) {
	var doc map[string]any
	if err := json.Unmarshal(definition, &doc); err != nil {
		return nil, fmt.Errorf("skippabletest: the definition is not JSON: %w", err)
	}
	if _, ok := doc["Resources"]; ok {
		flat, err := render.FromTemplate(doc)
		if err != nil {
			return nil, fmt.Errorf("skippabletest: %w", err)
		}
		definition = []byte(flat)
	}
	m := &Machine{}
	if err := json.Unmarshal(definition, &m.root); err != nil {
		return nil, fmt.Errorf("skippabletest: not a state machine definition: %w", err)
	}
	if m.root.StartAt == "" || len(m.root.States) == 0 {
		return nil, errors.New("skippabletest: not a state machine definition: no StartAt or States")
	}
	return m, nil
}

// Result is what an execution did with its input.
type Result struct {
	// Error and Cause are the execution's failure: for an input the
	// validation refuses, contract.ErrorInvalidInput and the list of
	// problems. Both are empty when the execution succeeds.
	Error, Cause string
	// Ran lists the flags whose guarded steps ran, Skipped those whose
	// guards were reached with the flag false (Runs also holds the
	// validation's record of every flag set to false, reached or not), each flag once, in the order the guards were
	// first reached. A guard inside a Map is reached once per item: its
	// flag is in Ran if any item ran the step, in Skipped if any skipped
	// it, so it may be in both.
	Ran, Skipped []string
	// Runs is the runs record the execution ended with, flag by status,
	// e.g. {"load": "ran", "publish": "skipped"}: every guard reached
	// outside a Map, and every flag set to false. A guard inside a Map
	// records per item, in the item's output, which is in the Map's result.
	// Nil when the execution failed or its output carries no record.
	Runs map[string]string
	// Output is the execution's output, decoded from JSON. A task's result
	// in it is a string starting with UnknownPrefix and naming the task.
	Output any
}

// Valid reports whether the execution got past its validation: it did
// not fail with contract.ErrorInvalidInput.
func (r Result) Valid() bool { return r.Error != contract.ErrorInvalidInput }

// UnknownPrefix starts the string that stands for a task's result, which
// the kit cannot know.
const UnknownPrefix = "\x00unknown result of "

// UndecidedError says where Run could not follow the execution without
// knowing a task's output.
type UndecidedError struct {
	// State is the state whose outcome depends on the unknown value.
	State string
	// Reason says what it needed.
	Reason string
}

// Error says which state could not be decided, and why.
func (e *UndecidedError) Error() string {
	return fmt.Sprintf("skippabletest: cannot decide at state %q: %s", e.State, e.Reason)
}

// Run runs input (execution input as JSON text, as given to the console;
// empty or blank for none, which Step Functions makes {}) through the
// definition as an execution started at start would, assuming
// every task succeeds. Numbers are read as float64: integers beyond 2^53
// lose digits in Output, and a number beyond float64's range (1e400) is
// read as the largest of its sign. It returns an *UndecidedError where the path taken
// depends on a task's output, and an error for a definition it cannot
// read or an input that is not JSON (which Step Functions refuses before
// any execution starts).
func (m *Machine) Run(input string, start time.Time) (Result, error) {
	in, err := decode(input)
	if err != nil {
		return Result{}, err
	}
	x := &execution{start: start.UTC(), input: in}
	out, err := x.run(m.root, "", in, x.context(in, nil))
	res := Result{Ran: x.ran, Skipped: x.skipped}
	var fail *failure
	switch {
	case errors.As(err, &fail):
		res.Error, res.Cause = fail.error, fail.cause
		return res, nil
	case err != nil:
		return res, err
	}
	res.Output = out
	res.Runs = runsOf(out)
	return res, nil
}

// MaxInput is the largest execution input Step Functions accepts, in
// bytes of UTF-8.
const MaxInput = 256 * 1024

// decode reads an execution input. JSON allows numbers that no float64
// holds (1e400); Step Functions accepts them, so they are read as the
// largest float64 of their sign rather than refused.
func decode(input string) (any, error) {
	if len(input) > MaxInput {
		return nil, fmt.Errorf("skippabletest: the input is %d bytes; Step Functions refuses more than %d", len(input), MaxInput)
	}
	if strings.TrimSpace(input) == "" {
		input = "{}" // an execution started with no input gets {}
	}
	var in any
	dec := json.NewDecoder(bytes.NewReader([]byte(input)))
	dec.UseNumber()
	if err := dec.Decode(&in); err != nil {
		return nil, fmt.Errorf("skippabletest: the input is not JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("skippabletest: the input is not JSON: text after the value")
	}
	return numbers(in), nil
}

// numbers turns decoded json.Numbers into float64s, as a plain decode
// would, clamping those out of range.
func numbers(v any) any {
	switch t := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(t), 64)
		if err != nil && !math.IsInf(f, 0) {
			return 0.0
		}
		return math.Max(-math.MaxFloat64, math.Min(math.MaxFloat64, f))
	case map[string]any:
		for k, e := range t {
			t[k] = numbers(e)
		}
	case []any:
		for i, e := range t {
			t[i] = numbers(e)
		}
	}
	return v
}

// runsOf reads the runs record from an execution's output.
func runsOf(out any) map[string]string {
	obj, _ := out.(map[string]any)
	records, ok := obj[contract.RunsKey].(map[string]any)
	if !ok {
		return nil
	}
	runs := map[string]string{}
	for flag, r := range records {
		rec, _ := r.(map[string]any)
		status, _ := rec["status"].(string)
		runs[flag] = status
	}
	return runs
}
