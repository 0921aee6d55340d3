package skippabletest

import (
	"encoding/json"
	"fmt"
	"strings"
)

// intrinsic evaluates the intrinsic functions the construct writes
// (States.JsonMerge, to fold a Parallel's records) and a few common
// others; any other refuses to guess.
func (s *step) intrinsic(expr string, input any) (any, error) {
	name, argText, ok := strings.Cut(expr, "(")
	if !ok || !strings.HasSuffix(argText, ")") {
		return nil, &failure{"States.Runtime", fmt.Sprintf("state %q: %q is not an intrinsic function call", s.name, expr)}
	}
	var args []any
	for _, a := range splitArgs(strings.TrimSuffix(argText, ")")) {
		v, err := s.argument(a, input)
		if err != nil {
			return nil, err
		}
		args = append(args, v)
	}
	for _, a := range args {
		if unknownIn(a) && name != "States.Array" {
			return UnknownPrefix + s.name, nil
		}
	}
	switch name {
	case "States.JsonMerge":
		if len(args) != 3 || args[2] != false {
			break
		}
		a, okA := args[0].(map[string]any)
		b, okB := args[1].(map[string]any)
		if !okA || !okB {
			return nil, &failure{"States.Runtime", fmt.Sprintf("state %q: States.JsonMerge needs two objects", s.name)}
		}
		out := map[string]any{}
		for k, v := range a {
			out[k] = v
		}
		for k, v := range b {
			out[k] = v
		}
		return out, nil
	case "States.Array":
		return args, nil
	case "States.JsonToString":
		if len(args) == 1 {
			b, err := json.Marshal(args[0])
			return string(b), err
		}
	case "States.StringToJson":
		if text, ok := args[0].(string); ok && len(args) == 1 {
			var v any
			if err := json.Unmarshal([]byte(text), &v); err != nil {
				return nil, &failure{"States.Runtime", fmt.Sprintf("state %q: States.StringToJson: %v", s.name, err)}
			}
			return v, nil
		}
	}
	return nil, &UndecidedError{State: s.name, Reason: fmt.Sprintf("the intrinsic function %q is not supported", expr)}
}

// argument is one argument of an intrinsic function: a path, a nested
// call, a quoted string or a JSON literal.
func (s *step) argument(a string, input any) (any, error) {
	switch {
	case strings.HasPrefix(a, "$"):
		return s.path(a, input)
	case strings.HasPrefix(a, "States."):
		return s.intrinsic(a, input)
	case strings.HasPrefix(a, "'") && strings.HasSuffix(a, "'") && len(a) >= 2:
		return strings.ReplaceAll(a[1:len(a)-1], `\'`, `'`), nil
	}
	var v any
	if err := json.Unmarshal([]byte(a), &v); err != nil {
		return nil, &failure{"States.Runtime", fmt.Sprintf("state %q: cannot read the argument %q", s.name, a)}
	}
	return v, nil
}

// splitArgs splits an argument list at the commas outside quotes and
// parentheses.
func splitArgs(text string) []string {
	var args []string
	depth, quoted, startAt := 0, false, 0
	for i := 0; i < len(text); i++ {
		switch c := text[i]; {
		case c == '\\' && quoted:
			i++
		case c == '\'':
			quoted = !quoted
		case quoted:
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == ',' && depth == 0:
			args = append(args, strings.TrimSpace(text[startAt:i]))
			startAt = i + 1
		}
	}
	if rest := strings.TrimSpace(text[startAt:]); rest != "" || len(args) > 0 {
		args = append(args, rest)
	}
	return args
}
