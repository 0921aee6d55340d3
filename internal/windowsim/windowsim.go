// Package windowsim runs the arrivals window's synthesized definition (see
// constructs/arrivals) for a scenario of files landing over time, on a
// fake clock: every window execution steps through its JSONata states,
// evaluated with jsonata-go, against a fake SQS queue and a fake Step
// Functions that lists executions newest first (optionally missing the
// youngest, as an eventually consistent listing may) and runs the target
// for a set time. Hours of bursts take milliseconds, so a test can try
// many and check what the window promises: no file left out of a run
// started after it landed, one run per quiet burst, runs one at a time.
package windowsim

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand"
	"slices"
	"sort"
	"strings"
	"time"

	jsonatago "github.com/xiatechs/jsonata-go"
)

// Arrival is a file landing At after the scenario starts.
type Arrival struct {
	At  time.Duration
	Key string
}

// Scenario is what happens around the window.
type Scenario struct {
	// Definition is the window's flattened definition.
	Definition []byte
	// Target is the ARN the definition starts.
	Target   string
	Arrivals []Arrival
	// RunTime is how long each run of the target takes.
	RunTime time.Duration
	// Busy are other runs of the target (a schedule's), by start and end.
	Busy [][2]time.Duration
	// ListLag hides executions younger than it from listings.
	ListLag time.Duration
	// Seed seeds JSONata's $random.
	Seed int64
}

// Run is one run of the target the windows started.
type Run struct {
	Name       string
	Start, End time.Duration
	Input      map[string]any
}

// Result is what the scenario left.
type Result struct {
	Runs []Run
	// Windows counts the window executions; Ends counts them by the state
	// they ended in.
	Windows int
	Ends    map[string]int
	// Left is the keys still on the queue at the end.
	Left []string
}

const (
	windowArn   = "arn:aws:states:eu-west-3:111122223333:stateMachine:window"
	taskLatency = 50 * time.Millisecond
)

type message struct {
	body, receipt string
	visible       time.Duration
}

type execution struct {
	n            int
	name         string
	start, wake  time.Duration
	state        string
	input        any
	vars         map[string]any
	done         bool
	end          string
	startDateISO string
}

type sim struct {
	s       Scenario
	states  map[string]map[string]any
	startAt string
	now     time.Duration
	queue   []*message
	nextID  int
	windows []*execution
	runs    []Run
	rng     *rand.Rand
	epoch   time.Time
	// timeout ends a window that runs longer, as TIMED_OUT.
	timeout time.Duration
}

// Simulate runs s until every window has ended.
func Simulate(s Scenario) (Result, error) {
	var def struct {
		StartAt        string
		States         map[string]map[string]any
		TimeoutSeconds float64
	}
	if err := json.Unmarshal(s.Definition, &def); err != nil {
		return Result{}, err
	}
	m := &sim{s: s, states: def.States, startAt: def.StartAt, rng: rand.New(rand.NewSource(s.Seed)),
		epoch: time.Date(2026, 12, 6, 6, 0, 0, 0, time.UTC), timeout: time.Duration(def.TimeoutSeconds) * time.Second}
	arrivals := slices.Clone(s.Arrivals)
	sort.SliceStable(arrivals, func(i, j int) bool { return arrivals[i].At < arrivals[j].At })
	for steps := 0; ; steps++ {
		if steps > 1_000_000 {
			return Result{}, errors.New("windowsim: a million steps: the windows do not end")
		}
		next := m.nextWindow()
		if len(arrivals) > 0 && (next == nil || arrivals[0].At <= next.wake) {
			m.now = arrivals[0].At
			m.arrive(arrivals[0].Key)
			arrivals = arrivals[1:]
			continue
		}
		if next == nil {
			break
		}
		m.now = next.wake
		if m.timeout > 0 && m.now-next.start >= m.timeout {
			next.done, next.end = true, TimedOut
			continue
		}
		if err := m.step(next); err != nil {
			return Result{}, fmt.Errorf("windowsim: window %s at %s, state %q: %w", next.name, m.now, next.state, err)
		}
	}
	r := Result{Runs: m.runs, Windows: len(m.windows), Ends: map[string]int{}}
	for _, w := range m.windows {
		r.Ends[w.end]++
	}
	for _, q := range m.queue {
		r.Left = append(r.Left, q.body)
	}
	return r, nil
}

// nextWindow is the running window that wakes first (the first started,
// on a tie).
func (m *sim) nextWindow() *execution {
	var next *execution
	for _, w := range m.windows {
		if !w.done && (next == nil || w.wake < next.wake) {
			next = w
		}
	}
	return next
}

// TimedOut is how Result.Ends counts a window that ran past its
// definition's TimeoutSeconds.
const TimedOut = "TIMED_OUT"

// arrive starts a window for key, with the event EventBridge would send.
func (m *sim) arrive(key string) {
	m.startWindow(map[string]any{"detail-type": "Object Created", "source": "aws.s3",
		"detail": map[string]any{"object": map[string]any{"key": key}}})
}

// startWindow starts a window execution with input.
func (m *sim) startWindow(input any) *execution {
	n := len(m.windows) + 1
	w := &execution{n: n, name: fmt.Sprintf("w%05d", n), start: m.now, wake: m.now, state: m.startAt,
		input: input, vars: map[string]any{}, startDateISO: m.iso(m.now)}
	m.windows = append(m.windows, w)
	return w
}

func (m *sim) iso(d time.Duration) string { return m.epoch.Add(d).Format("2006-01-02T15:04:05.000Z") }

func (w *execution) arn() string {
	return "arn:aws:states:eu-west-3:111122223333:execution:window:" + w.name
}

// step runs w's current state and sets when it next wakes.
func (m *sim) step(w *execution) error {
	st := m.states[w.state]
	if st == nil {
		return fmt.Errorf("no state %q", w.state)
	}
	env := map[string]any{"input": w.input, "context": map[string]any{
		"Execution":    map[string]any{"Id": w.arn(), "Name": w.name, "StartTime": w.startDateISO},
		"StateMachine": map[string]any{"Id": windowArn},
	}}
	switch st["Type"] {
	case "Succeed", "Fail":
		w.done, w.end = true, w.state
		return nil
	case "Wait":
		secs, err := m.eval(st["Seconds"], env, w.vars)
		if err != nil {
			return err
		}
		n, ok := secs.(float64)
		if !ok {
			return fmt.Errorf("Seconds is %v", secs)
		}
		w.wake = m.now + time.Duration(n*float64(time.Second))
		return m.leave(w, st, env, w.input)
	case "Choice":
		for _, raw := range st["Choices"].([]any) {
			c := raw.(map[string]any)
			ok, err := m.eval(c["Condition"], env, w.vars)
			if err != nil {
				return err
			}
			if ok == true {
				return m.move(w, st, c["Next"].(string), env)
			}
		}
		def, _ := st["Default"].(string)
		if def == "" {
			return errors.New("no choice matched and no default")
		}
		return m.move(w, st, def, env)
	case "Task":
		args, err := m.evalTree(st["Arguments"], env, w.vars)
		if err != nil {
			return err
		}
		result, latency, taskErr := m.call(st["Resource"].(string), args.(map[string]any))
		w.wake = m.now + latency
		if taskErr != "" {
			for _, raw := range asList(st["Catch"]) {
				c := raw.(map[string]any)
				if slices.Contains(toStrings(c["ErrorEquals"]), taskErr) {
					w.input = map[string]any{"Error": taskErr}
					w.state = c["Next"].(string)
					return nil
				}
			}
			return fmt.Errorf("the task failed with %s, which nothing catches", taskErr)
		}
		env["result"] = result
		return m.leave(w, st, env, result)
	}
	return fmt.Errorf("state type %v is not simulated", st["Type"])
}

// move leaves a Choice for next.
func (m *sim) move(w *execution, st map[string]any, next string, env map[string]any) error {
	w.wake = m.now
	if err := m.transit(w, st, env, w.input); err != nil {
		return err
	}
	w.state = next
	return nil
}

// leave leaves any other state for its Next, or ends the window.
func (m *sim) leave(w *execution, st map[string]any, env map[string]any, def any) error {
	if err := m.transit(w, st, env, def); err != nil {
		return err
	}
	if next, ok := st["Next"].(string); ok {
		w.state = next
	} else {
		w.done, w.end = true, w.state
	}
	return nil
}

// transit applies a state's Output (or def, without one) and Assign,
// which both see the variables as they were.
func (m *sim) transit(w *execution, st map[string]any, env map[string]any, def any) error {
	out := def
	if st["Output"] != nil {
		var err error
		if out, err = m.eval(st["Output"], env, w.vars); err != nil {
			return err
		}
	}
	if err := m.assign(w, st, env); err != nil {
		return err
	}
	w.input = out
	return nil
}

func (m *sim) assign(w *execution, st map[string]any, env map[string]any) error {
	a, ok := st["Assign"].(map[string]any)
	if !ok {
		return nil
	}
	vals := map[string]any{}
	for k, v := range a {
		got, err := m.evalTree(v, env, w.vars)
		if err != nil {
			return fmt.Errorf("Assign %s: %w", k, err)
		}
		vals[k] = got
	}
	for k, v := range vals {
		w.vars[k] = v
	}
	return nil
}

// call answers a task as the fake services do.
func (m *sim) call(resource string, args map[string]any) (result any, latency time.Duration, err string) {
	switch resource {
	case "arn:aws:states:::aws-sdk:sqs:sendMessage":
		m.nextID++
		m.queue = append(m.queue, &message{body: args["MessageBody"].(string), visible: m.now})
		return map[string]any{"MessageId": fmt.Sprint(m.nextID)}, taskLatency, ""
	case "arn:aws:states:::aws-sdk:sqs:receiveMessage":
		var got []any
		for _, q := range m.queue {
			if q.visible <= m.now && len(got) < int(args["MaxNumberOfMessages"].(float64)) {
				m.nextID++
				q.receipt = fmt.Sprint("r", m.nextID)
				q.visible = m.now + time.Duration(args["VisibilityTimeout"].(float64))*time.Second
				got = append(got, map[string]any{"Body": q.body, "ReceiptHandle": q.receipt, "MessageId": q.receipt})
			}
		}
		if len(got) == 0 {
			// Long polling waits its time out on an empty queue.
			return map[string]any{}, time.Duration(args["WaitTimeSeconds"].(float64)) * time.Second, ""
		}
		return map[string]any{"Messages": got}, taskLatency, ""
	case "arn:aws:states:::aws-sdk:sqs:deleteMessageBatch":
		var ok []any
		for _, e := range asList(args["Entries"]) {
			entry := e.(map[string]any)
			m.queue = slices.DeleteFunc(m.queue, func(q *message) bool { return q.receipt == entry["ReceiptHandle"] })
			ok = append(ok, map[string]any{"Id": entry["Id"]})
		}
		return map[string]any{"Successful": ok, "Failed": []any{}}, taskLatency, ""
	case "arn:aws:states:::aws-sdk:sfn:listExecutions":
		if args["StatusFilter"] != "RUNNING" {
			return nil, 0, "windowsim.Unsupported"
		}
		var list []any
		if args["StateMachineArn"] == windowArn {
			for i := len(m.windows) - 1; i >= 0; i-- {
				w := m.windows[i]
				if !w.done && w.start <= m.now-m.s.ListLag {
					list = append(list, map[string]any{"ExecutionArn": w.arn(), "StartDate": w.startDateISO, "Status": "RUNNING"})
				}
			}
		} else {
			for _, span := range m.spans() {
				if span[0] <= m.now && m.now < span[1] {
					list = append(list, map[string]any{"ExecutionArn": "run", "Status": "RUNNING"})
				}
			}
		}
		if n, ok := args["MaxResults"].(float64); ok && len(list) > int(n) {
			list = list[:int(n)]
		}
		return map[string]any{"Executions": orEmpty(list)}, taskLatency, ""
	case "arn:aws:states:::aws-sdk:sfn:startExecution":
		if args["StateMachineArn"] != windowArn {
			return nil, 0, "windowsim.Unsupported start of " + fmt.Sprint(args["StateMachineArn"])
		}
		var input any
		if err := json.Unmarshal([]byte(args["Input"].(string)), &input); err != nil {
			return nil, 0, "SFN.InvalidExecutionInput"
		}
		w := m.startWindow(input)
		return map[string]any{"ExecutionArn": w.arn(), "StartDate": w.startDateISO}, taskLatency, ""
	case "arn:aws:states:::states:startExecution":
		name, _ := args["Name"].(string)
		for _, r := range m.runs {
			if r.Name == name {
				return nil, taskLatency, "SFN.ExecutionAlreadyExistsException"
			}
		}
		input, _ := args["Input"].(map[string]any)
		m.runs = append(m.runs, Run{Name: name, Start: m.now, End: m.now + m.s.RunTime, Input: input})
		return map[string]any{"ExecutionArn": m.s.Target + ":" + name, "StartDate": m.iso(m.now)}, taskLatency, ""
	}
	return nil, 0, "windowsim.Unsupported " + resource
}

// spans are the target's runs, the windows' and the others, by start and
// end.
func (m *sim) spans() [][2]time.Duration {
	out := slices.Clone(m.s.Busy)
	for _, r := range m.runs {
		out = append(out, [2]time.Duration{r.Start, r.End})
	}
	return out
}

// evalTree evaluates every "{% … %}" string in v.
func (m *sim) evalTree(v any, env, vars map[string]any) (any, error) {
	switch x := v.(type) {
	case string:
		return m.eval(x, env, vars)
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			got, err := m.evalTree(e, env, vars)
			if err != nil {
				return nil, err
			}
			out[k] = got
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			got, err := m.evalTree(e, env, vars)
			if err != nil {
				return nil, err
			}
			out[i] = got
		}
		return out, nil
	}
	return v, nil
}

// eval evaluates a "{% … %}" string with $states and the variables bound,
// as Step Functions does; any other value is itself.
func (m *sim) eval(v any, env, vars map[string]any) (any, error) {
	s, ok := v.(string)
	if !ok || !strings.HasPrefix(s, "{%") || !strings.HasSuffix(s, "%}") {
		return v, nil
	}
	expr, err := jsonatago.Compile(strings.TrimSpace(s[2 : len(s)-2]))
	if err != nil {
		return nil, err
	}
	bind := map[string]any{"states": env}
	for k, val := range vars {
		bind[k] = val
	}
	if err := expr.RegisterVars(bind); err != nil {
		return nil, err
	}
	if err := expr.RegisterExts(map[string]jsonatago.Extension{"random": {Func: m.rng.Float64}}); err != nil {
		return nil, err
	}
	out, err := expr.Eval(nil)
	if errors.Is(err, jsonatago.ErrUndefined) {
		return nil, fmt.Errorf("%s evaluates to nothing", s)
	}
	if err != nil {
		return nil, err
	}
	// Through JSON, as Step Functions passes values between states.
	b, err := json.Marshal(out)
	if err != nil {
		return nil, err
	}
	var plain any
	return plain, json.Unmarshal(b, &plain)
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func orEmpty(l []any) []any {
	if l == nil {
		return []any{}
	}
	return l
}

func toStrings(v any) []string {
	var out []string
	for _, e := range asList(v) {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
