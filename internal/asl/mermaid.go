// Package asl draws Amazon States Language definitions for the docs.
package asl

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Mermaid draws a definition (plain ASL JSON) as a Mermaid flowchart: Choice
// states as diamonds with one labelled edge per rule (the rule's Comment, or
// a description of its test) and "otherwise" for the default, Tasks with
// the service they call, Parallel states as subgraphs holding their
// branches. States are numbered in the order a walk from StartAt meets
// them, so the drawing only changes when the definition does.
func Mermaid(definition []byte) (string, error) {
	var def machine
	if err := json.Unmarshal(definition, &def); err != nil {
		return "", fmt.Errorf("asl: definition: %w", err)
	}
	d := &drawing{ids: map[string]string{}}
	d.line(0, "flowchart TD")
	d.graph(def, 1)
	return d.b.String(), nil
}

type machine struct {
	StartAt string                    `json:"StartAt"`
	States  map[string]map[string]any `json:"States"`
}

type drawing struct {
	b   strings.Builder
	ids map[string]string
}

func (d *drawing) line(indent int, format string, args ...any) {
	d.b.WriteString(strings.Repeat("    ", indent))
	fmt.Fprintf(&d.b, format, args...)
	d.b.WriteByte('\n')
}

func (d *drawing) id(name string) string {
	if id, ok := d.ids[name]; ok {
		return id
	}
	id := fmt.Sprintf("s%d", len(d.ids)+1)
	d.ids[name] = id
	return id
}

// graph draws the states of one machine or branch, walking from StartAt.
func (d *drawing) graph(m machine, indent int) {
	order := walk(m)
	for _, name := range order {
		d.node(name, m.States[name], indent)
	}
	for _, name := range order {
		d.edges(name, m.States[name], indent)
	}
}

// walk lists the states reachable from StartAt, breadth first, following
// rules in order, then the default, then Next.
func walk(m machine) []string {
	seen := map[string]bool{m.StartAt: true}
	queue := []string{m.StartAt}
	for i := 0; i < len(queue); i++ {
		for _, next := range successors(m.States[queue[i]]) {
			if _, ok := m.States[next.to]; ok && !seen[next.to] {
				seen[next.to] = true
				queue = append(queue, next.to)
			}
		}
	}
	// Unreachable states are drawn too, in name order, so none is hidden.
	var rest []string
	for name := range m.States {
		if !seen[name] {
			rest = append(rest, name)
		}
	}
	sort.Strings(rest)
	return append(queue, rest...)
}

type edge struct{ to, label string }

func successors(st map[string]any) []edge {
	var out []edge
	if rules, ok := st["Choices"].([]any); ok {
		for _, r := range rules {
			rule, _ := r.(map[string]any)
			if to, ok := rule["Next"].(string); ok {
				out = append(out, edge{to, ruleLabel(rule)})
			}
		}
		if to, ok := st["Default"].(string); ok {
			out = append(out, edge{to, "otherwise"})
		}
	}
	if to, ok := st["Next"].(string); ok {
		out = append(out, edge{to, ""})
	}
	return out
}

func ruleLabel(rule map[string]any) string {
	if c, ok := rule["Comment"].(string); ok {
		return c
	}
	if _, ok := rule["Condition"]; ok {
		return "condition"
	}
	v, _ := rule["Variable"].(string)
	for key, val := range rule {
		if key != "Variable" && key != "Next" {
			return fmt.Sprintf("%s %s %v", v, key, val)
		}
	}
	return v
}

func (d *drawing) node(name string, st map[string]any, indent int) {
	id, label := d.id(name), quote(name)
	switch st["Type"] {
	case "Choice":
		d.line(indent, `%s{"%s"}`, id, label)
	case "Task":
		d.line(indent, `%s["%s<br/><small>%s</small>"]`, id, label, service(st))
	case "Parallel":
		d.line(indent, `subgraph %s["%s (Parallel)"]`, id, label)
		d.line(indent+1, "direction TB")
		for _, b := range st["Branches"].([]any) {
			raw, _ := json.Marshal(b)
			var branch machine
			_ = json.Unmarshal(raw, &branch) // re-decoding what was just encoded
			d.graph(branch, indent+1)
		}
		d.line(indent, "end")
	case "Succeed", "Fail":
		d.line(indent, `%s(["%s"])`, id, label)
	default:
		d.line(indent, `%s["%s"]`, id, label)
	}
}

func (d *drawing) edges(name string, st map[string]any, indent int) {
	for _, e := range successors(st) {
		if e.label == "" {
			d.line(indent, "%s --> %s", d.id(name), d.id(e.to))
		} else {
			d.line(indent, `%s -- "%s" --> %s`, d.id(name), quote(e.label), d.id(e.to))
		}
	}
}

// service names what a Task calls, from its Resource ARN.
func service(st map[string]any) string {
	res, _ := st["Resource"].(string)
	switch {
	case strings.Contains(res, ":glue:startJobRun.sync"):
		return "Glue job, waits for the run"
	case strings.Contains(res, ":glue:startJobRun"):
		return "Glue job"
	case strings.Contains(res, ":lambda:invoke"):
		return "Lambda"
	}
	if i := strings.LastIndex(res, ":::"); i >= 0 {
		return res[i+3:]
	}
	return "Task"
}

// quote makes a label safe inside Mermaid's double quotes.
func quote(s string) string {
	return strings.NewReplacer(`"`, "#quot;", "\n", " ").Replace(s)
}
