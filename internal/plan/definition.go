// Package plan reads a state machine definition built with the skippable
// construct and works out partial runs: which flags exist, in which order,
// what each guards, what runs downstream of it, and the execution input that
// runs exactly a chosen set of tasks.
//
// Guards are discovered from the definition itself, by shape, with the
// construct's own recogniser (render.Recognise), not from a list.
package plan

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/partialruns/velib-pipeline/constructs/skippable/contract"
	"github.com/partialruns/velib-pipeline/constructs/skippable/render"
	"github.com/partialruns/velib-pipeline/constructs/skippable/skippabletest"
)

// Guard is one skippable step.
type Guard struct {
	// Flag is the execution-input key.
	Flag string
	// State is the guard Choice's name.
	State string
	// Task is the first state of the guarded body.
	Task string
	// Body lists every state of the guarded body.
	Body []string
	// Downstream lists, in execution order, the other flags whose guards
	// can run after this one: what "--from Flag" runs besides Flag.
	Downstream []string
}

// Definition is a parsed state machine with its guards in execution order.
type Definition struct {
	Guards []Guard
	// kit runs inputs through the definition, for Refusal.
	kit   *skippabletest.Machine
	edges map[string][]string
	// parent maps a state inside a Parallel branch to that Parallel.
	parent map[string]string
	states map[string]map[string]any
}

type machine struct {
	StartAt string                    `json:"StartAt"`
	States  map[string]map[string]any `json:"States"`
}

// Load reads either a plain ASL definition or a CloudFormation template (as
// `cdk synth` writes it) holding exactly one state machine.
func Load(b []byte) (*Definition, error) {
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	if _, ok := doc["Resources"]; !ok {
		return Parse(b)
	}
	flat, err := render.FromTemplate(doc)
	if err != nil {
		return nil, err
	}
	return Parse([]byte(flat))
}

// Parse reads a plain ASL definition.
func Parse(b []byte) (*Definition, error) {
	var m machine
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("not a state machine definition: %w", err)
	}
	if m.StartAt == "" || len(m.States) == 0 {
		return nil, fmt.Errorf("not a state machine definition: no StartAt or States")
	}
	kit, err := skippabletest.Load(b)
	if err != nil {
		return nil, err
	}
	d := &Definition{kit: kit, edges: map[string][]string{}, states: map[string]map[string]any{}, parent: map[string]string{}}
	d.add(m, "", "")
	d.dropBackEdges(m.StartAt)
	for _, name := range d.reachable(m.StartAt) {
		if g, ok := d.guard(name); ok {
			d.Guards = append(d.Guards, g)
		}
	}
	for i := range d.Guards {
		after := map[string]bool{}
		for _, s := range d.reachable(d.Guards[i].State) {
			after[s] = true
		}
		for _, other := range d.Guards {
			if other.Flag != d.Guards[i].Flag && after[other.State] {
				d.Guards[i].Downstream = append(d.Guards[i].Downstream, other.Flag)
			}
		}
	}
	return d, nil
}

// add records the states of m and their transitions; a state that ends a
// Parallel branch (of the Parallel named parent) leads to exit, the state
// after the Parallel.
func (d *Definition) add(m machine, exit, parent string) {
	for name, st := range m.States {
		d.states[name] = st
		if parent != "" {
			d.parent[name] = parent
		}
		var next []string
		if rules, ok := st["Choices"].([]any); ok {
			for _, r := range rules {
				if rule, ok := r.(map[string]any); ok {
					if n, ok := rule["Next"].(string); ok {
						next = append(next, n)
					}
				}
			}
			if n, ok := st["Default"].(string); ok {
				next = append(next, n)
			}
		}
		after, _ := st["Next"].(string)
		if st["End"] == true {
			after = exit
		}
		if graphs := render.NestedGraphs(st); len(graphs) > 0 {
			for _, b := range graphs {
				raw, _ := json.Marshal(b)
				var branch machine
				if json.Unmarshal(raw, &branch) == nil && branch.StartAt != "" {
					next = append(next, branch.StartAt)
					d.add(branch, after, name)
				}
			}
			// A Parallel or Map moves on only when its branches or
			// iterations end; they lead to the state after it.
			after = ""
		}
		if after != "" {
			next = append(next, after)
		}
		d.edges[name] = next
	}
}

// dropBackEdges removes every transition that loops back to a state
// already on the way from start to it, such as a recovery that returns to
// refine what it fetched again: what a loop comes back to is upstream, not
// downstream, and a guard's body must not reach its own skip path through
// it.
func (d *Definition) dropBackEdges(start string) {
	const (
		onPath = 1
		done   = 2
	)
	mark := map[string]int{}
	var visit func(s string)
	visit = func(s string) {
		mark[s] = onPath
		kept := d.edges[s][:0]
		for _, n := range d.edges[s] {
			if mark[n] == onPath {
				continue
			}
			kept = append(kept, n)
			if mark[n] == 0 {
				visit(n)
			}
		}
		d.edges[s] = kept
		mark[s] = done
	}
	visit(start)
}

// reachable lists the states reachable from start, start included, breadth
// first, following each state's transitions in order.
func (d *Definition) reachable(start string) []string {
	seen := map[string]bool{start: true}
	queue := []string{start}
	for i := 0; i < len(queue); i++ {
		for _, n := range d.edges[queue[i]] {
			if !seen[n] {
				seen[n] = true
				queue = append(queue, n)
			}
		}
	}
	return queue
}

// guard recognises a skippable guard (see render.Recognise) and works out
// its body: what the task leads to before the skip path rejoins.
func (d *Definition) guard(name string) (Guard, bool) {
	found, ok := render.Recognise(d.states[name])
	if !ok {
		return Guard{}, false
	}
	rejoined := map[string]bool{}
	for _, s := range d.reachable(found.Skip) {
		rejoined[s] = true
	}
	// The Pass that records the body as ran belongs to the guard.
	rejoined[contract.RecordName(found.Flag)] = true
	var body []string
	for _, s := range d.reachable(found.Task) {
		if !rejoined[s] {
			body = append(body, s)
		}
	}
	return Guard{Flag: found.Flag, State: name, Task: found.Task, Body: body}, true
}

// Refusal is the error and cause with which the state machine would fail
// input, an execution started at now, before running any step: its
// validation's verdict, as the test kit works it out from the definition
// itself. Both are empty for an input it accepts.
func (d *Definition) Refusal(input string, now time.Time) (errorName, cause string, err error) {
	res, err := d.kit.Run(input, now)
	var undecided *skippabletest.UndecidedError
	if errors.As(err, &undecided) {
		// Decided past the validation: the input was accepted.
		return "", "", nil
	}
	if err != nil {
		return "", "", err
	}
	if res.Valid() {
		return "", "", nil
	}
	return res.Error, res.Cause, nil
}
