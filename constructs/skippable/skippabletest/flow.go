package skippabletest

import (
	"encoding/json"
	"fmt"

	"github.com/partialruns/velib-pipeline/constructs/skippable/render"
)

// parallel runs each branch on the state and hands on the list of their
// outputs.
func (s *step) parallel(input any) (any, error) {
	effective, err := s.arguments(input)
	if err != nil {
		return nil, err
	}
	branches, _ := s.def["Branches"].([]any)
	results := make([]any, 0, len(branches))
	for _, b := range branches {
		m, err := decodeMachine(b)
		if err != nil {
			return nil, fmt.Errorf("skippabletest: a branch of %q: %w", s.name, err)
		}
		out, err := s.x.run(m, s.lang, effective, s.ctx)
		if err != nil {
			return nil, err
		}
		results = append(results, out)
	}
	return s.finish(input, results)
}

// mapState runs the item processor once per item. In a Distributed Map,
// each item is a child execution whose own input is the item, so guards
// in it read their flags from the item.
func (s *step) mapState(input any) (any, error) {
	if _, ok := s.def["ItemReader"]; ok {
		return nil, &UndecidedError{State: s.name, Reason: "its items are read from S3"}
	}
	proc, ok := s.def["ItemProcessor"]
	if !ok {
		proc = s.def["Iterator"]
	}
	m, err := decodeMachine(proc)
	if err != nil {
		return nil, fmt.Errorf("skippabletest: the item processor of %q: %w", s.name, err)
	}
	items, err := s.items(input)
	if err != nil {
		return nil, err
	}
	list, isList := items.([]any)
	if !isList {
		if unknownIn(items) {
			if hasGuard(m) {
				return nil, &UndecidedError{State: s.name, Reason: "it guards steps for each item of a task's result"}
			}
			return s.finish(input, UnknownPrefix+s.name)
		}
		return nil, &failure{"States.Runtime", fmt.Sprintf("the items of Map state %q are not an array", s.name)}
	}
	distributed := false
	if cfg, ok := proc.(map[string]any)["ProcessorConfig"].(map[string]any); ok {
		distributed = cfg["Mode"] == "DISTRIBUTED"
	}
	results := make([]any, 0, len(list))
	for i, value := range list {
		item := map[string]any{"Index": float64(i), "Value": value}
		itemInput, err := s.itemInput(input, value, item)
		if err != nil {
			return nil, err
		}
		ctx := s.x.context(s.x.input, item)
		ctx["Execution"] = s.ctx["Execution"]
		if distributed {
			ctx = s.x.context(itemInput, nil)
		}
		out, err := s.x.run(m, s.lang, itemInput, ctx)
		if err != nil {
			return nil, err
		}
		results = append(results, out)
	}
	return s.finish(input, results)
}

// items is the list a Map iterates over.
func (s *step) items(input any) (any, error) {
	if s.jsonata() {
		items, ok := s.def["Items"]
		if !ok {
			return input, nil
		}
		if unknownIn(input) {
			return UnknownPrefix + s.name, nil
		}
		return s.template(items, s.states(input, nil))
	}
	effective, err := s.effective(input, "")
	if err != nil {
		return nil, err
	}
	p, ok := s.def["ItemsPath"].(string)
	if !ok {
		return effective, nil
	}
	return s.path(p, effective)
}

// itemInput is one iteration's input: the item, or what ItemSelector
// (Parameters in older definitions) makes of it.
func (s *step) itemInput(input, value any, item map[string]any) (any, error) {
	sel, ok := s.def["ItemSelector"]
	if !ok {
		sel, ok = s.def["Parameters"]
	}
	if !ok {
		return value, nil
	}
	ctx := map[string]any{}
	for k, v := range s.ctx {
		ctx[k] = v
	}
	ctx["Map"] = map[string]any{"Item": item}
	itemStep := *s
	itemStep.ctx = ctx
	if s.jsonata() {
		if unknownIn(input) {
			return UnknownPrefix + s.name, nil
		}
		return itemStep.template(sel, itemStep.states(input, nil))
	}
	effective, err := s.effective(input, "")
	if err != nil {
		return nil, err
	}
	return itemStep.payload(sel, effective)
}

// arguments is the input a Parallel hands each branch.
func (s *step) arguments(input any) (any, error) {
	if s.jsonata() {
		args, ok := s.def["Arguments"]
		if !ok {
			return input, nil
		}
		if unknownIn(input) {
			return UnknownPrefix + s.name, nil
		}
		return s.template(args, s.states(input, nil))
	}
	return s.effective(input, "Parameters")
}

// finish turns a Parallel's or Map's result into the state's output.
func (s *step) finish(input, result any) (any, error) {
	if s.jsonata() {
		if _, ok := s.def["Output"]; !ok {
			return result, nil
		}
		return s.through(input, result)
	}
	return s.selectAndPlace(input, result)
}

// decodeMachine reads a branch or item processor.
func decodeMachine(v any) (machine, error) {
	var m machine
	b, err := json.Marshal(v)
	if err == nil {
		err = json.Unmarshal(b, &m)
	}
	if err == nil && (m.StartAt == "" || len(m.States) == 0) {
		err = fmt.Errorf("no StartAt or States")
	}
	return m, err
}

// hasGuard reports whether m holds a guard, in nested states too.
func hasGuard(m machine) bool {
	for _, st := range m.States {
		if _, ok := render.Recognise(st); ok {
			return true
		}
		for _, inner := range render.Nested(st) {
			if _, ok := render.Recognise(inner); ok {
				return true
			}
		}
	}
	return false
}
