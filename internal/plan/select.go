package plan

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Flags lists the flags in execution order.
func (d *Definition) Flags() []string {
	out := make([]string, len(d.Guards))
	for i, g := range d.Guards {
		out[i] = g.Flag
	}
	return out
}

// Lookup finds a guard by its flag or by the name of the task it guards.
// An unknown name is an error that lists the valid ones.
func (d *Definition) Lookup(name string) (Guard, error) {
	for _, g := range d.Guards {
		if g.Flag == name || g.Task == name {
			return g, nil
		}
	}
	// A task inside a guarded body names it too, e.g. the task a Map
	// runs for each item.
	for _, g := range d.Guards {
		if slices.Contains(g.Body, name) && d.states[name]["Type"] == "Task" {
			return g, nil
		}
	}
	var valid []string
	for _, g := range d.Guards {
		valid = append(valid, fmt.Sprintf("%s (%s)", g.Flag, g.Task))
	}
	return Guard{}, fmt.Errorf("unknown task or flag %q; valid ones are: %s", name, strings.Join(valid, ", "))
}

// Select says, per flag, whether a partial run runs it. from runs that task
// and everything downstream of it; only runs just the tasks named; skip
// leaves out the tasks named, from whatever else was chosen (everything,
// by default). from and only cannot be combined.
func (d *Definition) Select(from string, only, skip []string) (map[string]bool, error) {
	if from != "" && len(only) > 0 {
		return nil, fmt.Errorf("--from and --only cannot be combined: --from already chooses the tasks")
	}
	run := map[string]bool{}
	for _, g := range d.Guards {
		run[g.Flag] = from == "" && len(only) == 0
	}
	if from != "" {
		g, err := d.Lookup(from)
		if err != nil {
			return nil, err
		}
		run[g.Flag] = true
		for _, f := range g.Downstream {
			run[f] = true
		}
	}
	for _, name := range only {
		g, err := d.Lookup(name)
		if err != nil {
			return nil, err
		}
		run[g.Flag] = true
	}
	for _, name := range skip {
		g, err := d.Lookup(name)
		if err != nil {
			return nil, err
		}
		run[g.Flag] = false
	}
	return run, nil
}

// Input renders the execution input for run: every flag explicitly, in
// execution order, then process_date when one is given, then systems (the
// ids of the systems to process) when any are.
// Keys and values are JSON-encoded one by one, so the keys keep that order,
// which a map would lose.
func (d *Definition) Input(run map[string]bool, processDate string, systems ...string) string {
	var parts []string
	add := func(key string, value any) {
		k, _ := json.Marshal(key) // strings and booleans always marshal
		v, _ := json.Marshal(value)
		parts = append(parts, string(k)+": "+string(v))
	}
	for _, f := range d.Flags() {
		add(f, run[f])
	}
	if processDate != "" {
		add("process_date", processDate)
	}
	if len(systems) > 0 {
		add("systems", systems)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// Table renders run as an aligned table: flag, task, run or skip.
func (d *Definition) Table(run map[string]bool) string {
	width := len("flag")
	for _, g := range d.Guards {
		width = max(width, len(g.Flag))
	}
	taskWidth := len("task")
	for _, g := range d.Guards {
		taskWidth = max(taskWidth, len(g.Task))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-*s  %-*s  %s\n", width, "flag", taskWidth, "task", "action")
	for _, g := range d.Guards {
		action := "skip"
		if run[g.Flag] {
			action = "run"
		}
		fmt.Fprintf(&b, "%-*s  %-*s  %s\n", width, g.Flag, taskWidth, g.Task, action)
	}
	return b.String()
}

// bodyEnds are the states whose completion means the guarded work is done:
// the body's states that are tasks, Parallels or Maps, leaving out those
// inside a Parallel of the body (the Parallel's own completion covers them).
func (d *Definition) bodyEnds(g Guard) []string {
	var out []string
	for _, s := range g.Body {
		switch d.states[s]["Type"] {
		case "Task", "Parallel", "Map":
		default:
			continue
		}
		nested := false
		for p := d.parent[s]; p != ""; p = d.parent[p] {
			nested = nested || slices.Contains(g.Body, p)
		}
		if !nested {
			out = append(out, s)
		}
	}
	return out
}
