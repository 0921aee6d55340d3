package contract

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// SubsetParam declares key as an optional list of distinct values taken
// from allowed, at least one, e.g. the systems a run processes; it
// defaults to all of allowed, in their order. An unknown value is named
// in the cause, with the values allowed.
//
// It panics when allowed is empty or names a value twice: its default
// would then be refused by its own check.
func SubsetParam(key string, allowed []string) Param {
	if len(allowed) == 0 {
		panic(fmt.Errorf("skippable: SubsetParam(%q): no allowed value", key))
	}
	for i, a := range allowed {
		if slices.Contains(allowed[:i], a) {
			panic(fmt.Errorf("skippable: SubsetParam(%q): %q is allowed twice", key, a))
		}
	}
	list, err := json.Marshal(allowed)
	if err != nil {
		panic(err) // strings only: cannot fail
	}
	// The values go into JSONata string literals, escaped as JSON.
	known := strings.Trim(jsonString(strings.Join(allowed, ", ")), `"`)
	return Param{
		Name:     key,
		Describe: "a list of some of " + strings.Join(allowed, ", "),
		// $append([], …) makes a list of a JSONata sequence, which is a
		// single value when it holds one.
		// Entries are read by index: jsonata-python hands a null entry to
		// a function as nothing, which no predicate can tell apart, while
		// $value[$i] is null on every engine.
		Check: `(
			$allowed := ` + string(list) + `;
			$n := $type($value) = "array" ? $count($value) : 0;
			$n > 0 ? (
				$idx := [0..$n - 1];
				$unknown := $filter($idx, function($i) { $not($type($value[$i]) = "string" and $value[$i] in $allowed) });
				$twice := $filter($idx, function($i) { $count($filter($idx, function($j) { $j < $i and $value[$j] = $value[$i] })) > 0 });
				$count($unknown) > 0
					? "` + key + ` lists " & $join($append([], $map($unknown, function($i) { $show($value[$i]) })), ", ") & ", not one of ` + known + `"
				: $count($twice) > 0
					? "` + key + ` lists " & $join($append([], $map($twice, function($i) { $show($value[$i]) })), ", ") & " twice"
				: []
			) : $type($value) = "array" ? "` + key + ` is an empty list: give at least one of ` + known + `"
			: "` + key + ` must be a list of at least one of ` + known + `, got " & $show($value)
		)`,
		Default: string(list),
	}
}

// jsonString is s as a JSON string literal, which JSONata reads alike.
func jsonString(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err) // a string always marshals
	}
	return string(b)
}
