package contract

import (
	"fmt"
	"strconv"
)

// RangeSep separates the first and last dates of a range, both included.
const RangeSep = ".."

// DateRangeParam declares key as an optional date or range of dates,
// "YYYY-MM-DD" or "YYYY-MM-DD..YYYY-MM-DD" (both ends included), each date
// under the date rule, the first not after the last, at most maxDays days
// long; defaulting to the execution's start date, UTC. A task receives the
// value as given: a one-day range is the same day as the date alone.
func DateRangeParam(key string, maxDays int) Param {
	limit := strconv.Itoa(maxDays)
	return Param{
		Name:     key,
		Describe: fmt.Sprintf("a date YYYY-MM-DD from %s to the start date, or a range of at most %d such days, YYYY-MM-DD..YYYY-MM-DD", MinDate, maxDays),
		Check: `(
			$dateProblem := function($date) { ` + dateProblemExpr(key) + ` };
			$type($value) != "string" ? $dateProblem($value)
			: $not($contains($value, "` + RangeSep + `")) ? $dateProblem($value)
			: (
				$ends := $split($value, "` + RangeSep + `");
				$count($ends) != 2
					? "` + key + ` must be a date YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD, got " & $show($value)
				: (
					$first := $dateProblem($ends[0]);
					$last := $dateProblem($ends[1]);
					$first ? $first
					: $last ? $last
					: $ends[0] > $ends[1] ? "` + key + ` " & $show($value) & " ends before it starts"
					: (
						$days := ` + spanFunc + `;
						$span := $days($ends);
						$span > ` + limit + ` ? "` + key + ` " & $show($value) & " spans " & $string($span) & " days; the limit is ` + limit + `" : []
					)
				)
			)
		)`,
		Default: `$today`,
	}
}

// SpanFunc is a JSONata function counting the days from the first to the
// last of an array of two valid dates YYYY-MM-DD, both included.
const SpanFunc = spanFunc

// spanFunc is a JSONata function counting the days of a valid range's
// two ends, both included.
const spanFunc = `function($ends) {(
	$day := ` + dayNumberFunc + `;
	$day($ends[1]) - $day($ends[0]) + 1
)}`

// dayNumberFunc is a JSONata function numbering a valid YYYY-MM-DD date's
// day (consecutive days, consecutive numbers), by calendar arithmetic, as
// dateProblemExpr checks dates: no date function engines read differently.
const dayNumberFunc = `function($s) {(
	$y := $number($substring($s, 0, 4));
	$m := $number($substring($s, 5, 2));
	$a := $m <= 2 ? $y - 1 : $y;
	$n := $m <= 2 ? $m + 9 : $m - 3;
	365 * $a + $floor($a / 4) - $floor($a / 100) + $floor($a / 400) + $floor((153 * $n + 2) / 5) + $number($substring($s, 8, 2))
)}`

// DaysExpr is a JSONata expression for how many days key covers in valid
// input: a range's days, both ends included (see DateRangeParam), and 1 for
// a single date or none, since the default is one day.
func DaysExpr(key string) string {
	// Nested conditions rather than `and`: jsonata-go evaluates both sides.
	return `(
		$value := $lookup($in, "` + key + `");
		$type($value) = "string" ? (
			$contains($value, "` + RangeSep + `") ? (
				$days := ` + spanFunc + `;
				$days($split($value, "` + RangeSep + `"))
			) : 1
		) : 1
	)`
}
