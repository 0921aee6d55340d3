package plan

import "fmt"

// Decision is what resume decided for one flag, and why.
type Decision struct {
	Flag, Task string
	Run        bool
	Why        string
}

// Resume decides which tasks a new execution must run to finish what an
// earlier one started: a task whose work completed in the earlier run (every
// state of its body that does work exited) is skipped; a task the earlier
// input switched off stays off, since resuming must not do more than was
// asked; everything else runs. exited holds the names of the states with a
// *StateExited event in the earlier execution's history.
func (d *Definition) Resume(input map[string]any, exited map[string]bool) []Decision {
	var out []Decision
	for _, g := range d.Guards {
		dec := Decision{Flag: g.Flag, Task: g.Task, Run: true, Why: "did not complete"}
		if v, ok := input[g.Flag]; ok && v == false {
			dec.Run, dec.Why = false, "switched off in the earlier input"
		} else if ends := d.bodyEnds(g); len(ends) > 0 && allExited(ends, exited) {
			dec.Run, dec.Why = false, "completed"
		}
		out = append(out, dec)
	}
	return out
}

func allExited(states []string, exited map[string]bool) bool {
	for _, s := range states {
		if !exited[s] {
			return false
		}
	}
	return true
}

// RunMap turns decisions into the map Input takes.
func RunMap(decisions []Decision) map[string]bool {
	run := map[string]bool{}
	for _, d := range decisions {
		run[d.Flag] = d.Run
	}
	return run
}

// String shows a decision as a line of the resume plan.
func (d Decision) String() string {
	action := "skip"
	if d.Run {
		action = "run"
	}
	return fmt.Sprintf("%-4s %s (%s): %s", action, d.Flag, d.Task, d.Why)
}
