package skippabletest

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// effective applies InputPath and then, when field names one
// ("Parameters"), the payload template in that field.
func (s *step) effective(input any, field string) (any, error) {
	v := input
	if p, ok := s.def["InputPath"]; ok {
		if p == nil {
			v = map[string]any{}
		} else {
			got, err := s.path(fmt.Sprint(p), input)
			if err != nil {
				return nil, err
			}
			v = got
		}
	}
	if field == "" {
		return v, nil
	}
	tpl, ok := s.def[field]
	if !ok {
		return v, nil
	}
	return s.payload(tpl, v)
}

// selectAndPlace applies ResultSelector to result, then ResultPath and
// OutputPath.
func (s *step) selectAndPlace(input, result any) (any, error) {
	if sel, ok := s.def["ResultSelector"]; ok {
		var err error
		if result, err = s.payload(sel, result); err != nil {
			return nil, err
		}
	}
	return s.place(input, result)
}

// place puts result into input at ResultPath and applies OutputPath.
func (s *step) place(input, result any) (any, error) {
	out := result
	if rp, ok := s.def["ResultPath"]; ok {
		if rp == nil {
			out = input
		} else {
			var err error
			if out, err = s.set(input, fmt.Sprint(rp), result); err != nil {
				return nil, err
			}
		}
	}
	return s.outputPath(out)
}

func (s *step) outputPath(v any) (any, error) {
	p, ok := s.def["OutputPath"]
	if !ok {
		return v, nil
	}
	if p == nil {
		return map[string]any{}, nil
	}
	return s.path(fmt.Sprint(p), v)
}

// segments splits a reference path ($.a.b, $['a'][0]) into its keys and
// indexes; anything else (wildcards, filters, slices) is refused.
func (s *step) segments(path string) ([]any, error) {
	rest, ok := strings.CutPrefix(path, "$")
	if !ok {
		return nil, &failure{"States.Runtime", fmt.Sprintf("state %q: %q is not a path", s.name, path)}
	}
	var segs []any
	for rest != "" {
		m := segment.FindStringSubmatch(rest)
		if m == nil {
			return nil, &UndecidedError{State: s.name, Reason: fmt.Sprintf("the path %q uses JSONPath the kit does not follow", path)}
		}
		switch {
		case m[1] != "":
			segs = append(segs, m[1])
		case m[3] != "":
			i, _ := strconv.Atoi(m[3])
			segs = append(segs, i)
		default: // a bracketed name, which may be empty
			segs = append(segs, m[2]+m[4])
		}
		rest = rest[len(m[0]):]
	}
	return segs, nil
}

var segment = regexp.MustCompile(`^(?:\.([^.\[\]*@?()]+)|\['([^']*)'\]|\[([0-9]+)\]|\["([^"]*)"\])`)

// path reads a path from v, or from the context object when it starts
// with $$. A path that does not resolve is a runtime error, as in Step
// Functions.
func (s *step) path(path string, v any) (any, error) {
	in := path
	if rest, ok := strings.CutPrefix(path, "$$"); ok {
		in, v = "$"+rest, s.ctx
	}
	got, found, err := s.lookup(in, v)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, &failure{"States.Runtime", fmt.Sprintf("state %q: the path %q does not resolve in its input", s.name, path)}
	}
	return got, nil
}

// lookup is path without the runtime error; a path into a task's unknown
// result resolves to that unknown.
func (s *step) lookup(path string, v any) (any, bool, error) {
	segs, err := s.segments(path)
	if err != nil {
		return nil, false, err
	}
	for _, seg := range segs {
		if str, ok := v.(string); ok && strings.HasPrefix(str, UnknownPrefix) {
			return str, true, nil
		}
		switch k := seg.(type) {
		case string:
			obj, ok := v.(map[string]any)
			if !ok {
				return nil, false, nil
			}
			if v, ok = obj[k]; !ok {
				return nil, false, nil
			}
		case int:
			list, ok := v.([]any)
			if !ok || k >= len(list) {
				return nil, false, nil
			}
			v = list[k]
		}
	}
	return v, true, nil
}

// set returns a copy of v with value at path, creating objects on the
// way as ResultPath does.
func (s *step) set(v any, path string, value any) (any, error) {
	segs, err := s.segments(path)
	if err != nil {
		return nil, err
	}
	out, ok := setAt(v, segs, value)
	if !ok {
		return nil, &failure{"States.Runtime", fmt.Sprintf("state %q: the ResultPath %q cannot be applied to its input", s.name, path)}
	}
	return out, nil
}

// setAt is set for a path split into segments. A task's unknown result
// stays unknown whatever is set inside it.
func setAt(v any, segs []any, value any) (any, bool) {
	if len(segs) == 0 {
		return value, true
	}
	if str, ok := v.(string); ok && strings.HasPrefix(str, UnknownPrefix) {
		return str, true
	}
	key, isKey := segs[0].(string)
	obj, isObj := v.(map[string]any)
	if !isKey || !isObj {
		return nil, false
	}
	cp := make(map[string]any, len(obj)+1)
	for k, e := range obj {
		cp[k] = e
	}
	child, exists := cp[key]
	if !exists {
		child = map[string]any{}
	}
	var ok bool
	cp[key], ok = setAt(child, segs[1:], value)
	return cp, ok
}

// payload resolves a payload template (Parameters, ResultSelector,
// ItemSelector): a key ending in ".$" takes the value of its path or
// intrinsic function.
func (s *step) payload(tpl, input any) (any, error) {
	switch t := tpl.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, v := range t {
			name, dynamic := strings.CutSuffix(k, ".$")
			if !dynamic {
				got, err := s.payload(v, input)
				if err != nil {
					return nil, err
				}
				out[k] = got
				continue
			}
			expr, _ := v.(string)
			got, err := s.value(expr, input)
			if err != nil {
				return nil, err
			}
			out[name] = got
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, v := range t {
			got, err := s.payload(v, input)
			if err != nil {
				return nil, err
			}
			out[i] = got
		}
		return out, nil
	}
	return tpl, nil
}

// value is the value of a ".$" field: a path or an intrinsic function.
func (s *step) value(expr string, input any) (any, error) {
	if strings.HasPrefix(expr, "States.") {
		return s.intrinsic(expr, input)
	}
	return s.path(expr, input)
}
