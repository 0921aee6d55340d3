package contract

// MinDate is the earliest date the date rule accepts.
const MinDate = "1970-01-01"

// dateProblemExpr is a JSONata expression that applies the date rule to
// $date, the value of key in the input, with $today bound to the start date
// (YYYY-MM-DD) and $show to ShowFunc: it evaluates to a message naming key,
// or to an empty array when the date is good.
//
// It keeps to what every JSONata engine reads alike: no function applied to
// a value of the wrong type behind an "or" (jsonata-go evaluates both
// sides, and $length of a number is an error), no date pictures
// (engines parse them differently, and the Java lineage throws on impossible
// dates), only a pattern and length check (Python's $ also matches before a
// trailing newline), arithmetic on the parts, and string comparison.
func dateProblemExpr(key string) string {
	return `(
		$notDate := "` + key + ` must be a date YYYY-MM-DD, got " & $show($date);
		$type($date) != "string" ? $notDate
		: $length($date) != 10 or $not($contains($date, /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/)) ? $notDate
		: (
			$y := $number($substring($date, 0, 4));
			$m := $number($substring($date, 5, 2));
			$d := $number($substring($date, 8, 2));
			$leap := $y % 4 = 0 and ($y % 100 != 0 or $y % 400 = 0);
			$m < 1 or $m > 12 or $d < 1 or $d > [31, $leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][$m - 1]
				? "` + key + ` " & $show($date) & " is not a calendar date"
			: $date < "` + MinDate + `" ? "` + key + ` " & $show($date) & " is before ` + MinDate + `"
			: $date > $today ? "` + key + ` " & $show($date) & " is after the execution's start date " & $today
			: []
		)
	)`
}

// DateProblemFunc is a JSONata function applying the date rule to its one
// argument, for a check that reads a date out of a larger value (a key, a
// file name): it evaluates to a message starting with subject, or to an
// empty array when the date is good. Like a Param's Check it reads $today
// and $show, which the validation binds.
func DateProblemFunc(subject string) string {
	return `function($date) {` + dateProblemExpr(subject) + `}`
}
