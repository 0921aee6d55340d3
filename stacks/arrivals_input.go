package stacks

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/partialruns/velib-pipeline/constructs/skippable/contract"
	"github.com/partialruns/velib-pipeline/internal/layout"
)

// arrivalRule reads the arrivals input key: keys (or their day folders)
// under prefix in the raw layout, <prefix><system>/dt=<YYYY-MM-DD>/…, of
// the configured systems. The validation works out a run's systems and
// days from them, so a key that does not parse fails the execution with
// InvalidInput, and the alert, instead of running the wrong day or none.
type arrivalRule struct {
	prefix  string
	systems []string
}

// Keys may come as S3 wrote them or URL-encoded, as S3's notifications
// give them ("=" as %3D, "/" as %2F); only those two matter to the
// parse, since neither a system's id nor a day holds anything else an
// encoding changes.
const arrivalDecode = `function($k) { $replace($replace($k, /%2[fF]/, "/"), /%3[dD]/, "=") }`

// found is a JSONata block that binds $found to one object per entry of
// list: {"system", "day"} when it parses (and, with check, its day passes
// the date rule), else {"problem"} naming it; and $first and $last to the
// days found. Entries are read by index, as SubsetParam does
// (jsonata-python hands a null entry to a function as nothing). Without
// check it reads input the validation accepted, with no $show or $today.
func (r arrivalRule) found(list string, check bool) string {
	allowed, err := json.Marshal(r.systems)
	if err != nil {
		panic(err) // strings only
	}
	prefix := strconv.Quote(r.prefix)
	shape := `"not ` + r.prefix + `<system>/dt=YYYY-MM-DD/…"`
	dateCheck := `function($date) { [] }`
	if check {
		dateCheck = contract.DateProblemFunc("its day")
	}
	return `
		$decode := ` + arrivalDecode + `;
		$dateProblem := ` + dateCheck + `;
		$arrival := function($k) {(
			$bad := function($why) { {"problem": "` + layout.ArrivalsKey + ` lists " & $show($k) & ": " & $why} };
			$type($k) = "string" ? (
				$key := $decode($k);
				$substring($key, 0, ` + strconv.Itoa(len(r.prefix)) + `) != ` + prefix + ` ? $bad(` + shape + `)
				: (
					$parts := $split($substring($key, ` + strconv.Itoa(len(r.prefix)) + `), "/");
					$count($parts) < 3 ? $bad(` + shape + `)
					: $substring($parts[1], 0, 3) != "dt=" ? $bad(` + shape + `)
					: $not($parts[0] in ` + string(allowed) + `) ? $bad("system " & $show($parts[0]) & " is not one of ` + strings.Join(r.systems, ", ") + `")
					: (
						$day := $substring($parts[1], 3);
						$problem := $dateProblem($day);
						$problem ? $bad($problem) : {"system": $parts[0], "day": $day}
					)
				)
			) : $bad("not a key")
		)};
		$n := $type(` + list + `) = "array" ? $count(` + list + `) : 0;
		$found := $n > 0 ? $append([], $map([0..$n - 1], function($i) { $arrival(` + list + `[$i]) })) : [];
		$days := $sort($distinct($append([], $found.day)));
		$first := $days[0];
		$last := $days[$count($days) - 1];`
}

// param declares the arrivals key. It excludes the keys it stands for, and,
// like process_date, needs the ingest off.
func (r arrivalRule) param() contract.Param {
	key := layout.ArrivalsKey
	shape := r.prefix + "<system>/dt=YYYY-MM-DD/…"
	others, err := json.Marshal([]string{layout.DateKey, layout.DayBeforeKey, layout.SystemsKey})
	if err != nil {
		panic(err)
	}
	p := contract.Param{
		Name:     key,
		Describe: "a list of keys " + shape + " (or their folders) whose systems and days are processed",
		Check: `(` + r.found(`$value`, true) + `
			$given := $filter(` + string(others) + `, function($o) { $o in $keys($in) });
			$problems := $append([], $found.problem);
			$type($value) != "array" ? "` + key + ` must be a list of keys ` + shape + `, got " & $show($value)
			: $n = 0 ? "` + key + ` is an empty list: give at least one key ` + shape + `"
			: $count($given) > 0 ? "` + key + ` sets the days and systems processed: leave out " & $join($given, " and ")
			: $count($problems) > 0
				? $join($map([0..$min([$count($problems), 3]) - 1], function($i) { $problems[$i] }), "; ")
					& ($count($problems) > 3 ? "; and " & $string($count($problems) - 3) & " more" : "")
			: (
				$span := ` + contract.SpanFunc + `;
				$days := $span([$first, $last]);
				$days > ` + strconv.Itoa(layout.MaxRangeDays) + ` ? "` + key + ` spans " & $string($days) & " days, " & $first & " to " & $last & "; the limit is ` + strconv.Itoa(layout.MaxRangeDays) + `: start one run per part"
				: []
			)
		)`,
	}
	return withoutIngest(p)
}

// given is a JSONata condition: the input lists arrivals.
func (arrivalRule) given() string { return `"` + layout.ArrivalsKey + `" in $keys($in)` }

// dateDefault is process_date for valid arrivals: their first day, or
// the range from their first day to their last.
func (r arrivalRule) dateDefault() string {
	return `(` + r.found(`$lookup($in, "`+layout.ArrivalsKey+`")`, false) + `
		$first = $last ? $first : $first & "` + contract.RangeSep + `" & $last
	)`
}

// systemsDefault is systems for valid arrivals: the systems they name, in
// the configured order.
func (r arrivalRule) systemsDefault() string {
	allowed, err := json.Marshal(r.systems)
	if err != nil {
		panic(err)
	}
	return `(` + r.found(`$lookup($in, "`+layout.ArrivalsKey+`")`, false) + `
		$named := $found.system;
		$append([], $filter(` + string(allowed) + `, function($s) { $s in $named }))
	)`
}

// daysExpr is how many days valid arrivals span, both ends included, for
// the Glue runs' capacity.
func (r arrivalRule) daysExpr() string {
	return `(` + r.found(`$lookup($in, "`+layout.ArrivalsKey+`")`, false) + `
		$span := ` + contract.SpanFunc + `;
		$span([$first, $last])
	)`
}
