package contract

import (
	"encoding/json"
	"strings"
)

// SubsetParam declares key as an optional list of distinct values taken
// from allowed, at least one, e.g. the systems a run processes; it
// defaults to all of allowed, in their order. An unknown value is named
// in the cause, with the values allowed.
func SubsetParam(key string, allowed []string) Param {
	list, err := json.Marshal(allowed)
	if err != nil {
		panic(err) // strings only: cannot fail
	}
	known := strings.Join(allowed, ", ")
	return Param{
		Name:     key,
		Describe: "a list of some of " + known,
		// $append([], …) makes a list of a JSONata sequence, which is a
		// single value when it holds one.
		Check: `(
			$allowed := ` + string(list) + `;
			$type($value) != "array" or $count($value) = 0
				? "` + key + ` must be a list of at least one of ` + known + `, got " & $show($value)
			: (
				$unknown := $filter($value, function($v) { $type($v) != "string" or $not($v in $allowed) });
				$twice := $filter($value, function($v, $i) { $count($filter($value, function($w, $j) { $j < $i and $w = $v })) > 0 });
				$count($unknown) > 0
					? "` + key + ` lists " & $join($append([], $map($unknown, $show)), ", ") & ", not one of ` + known + `"
				: $count($twice) > 0
					? "` + key + ` lists " & $join($append([], $map($twice, $show)), ", ") & " twice"
				: []
			)
		)`,
		Default: string(list),
	}
}
