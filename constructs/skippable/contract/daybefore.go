package contract

// DayBeforeParam declares key as an optional UTC time, RFC 3339 with a Z
// (2026-11-21T00:30:00Z, fractions of a second allowed), whose previous
// UTC day the execution processes: the day before its date, which passes
// the date rule, and which is not MinDate (whose day before the rule
// refuses). A schedule sets it to EventBridge Scheduler's
// <aws.scheduler.scheduled-time>, so that a run retried or replayed hours
// later still processes the day it was meant for. dateKey is the date
// param it stands in for: the two may not both be given. DayBeforeParam
// only checks key; for dateKey to become the day before it, give dateKey's
// param the Default DayBeforeDefault(key).
func DayBeforeParam(key, dateKey string) Param {
	bad := `"` + key + ` must be a UTC time YYYY-MM-DDThh:mm:ssZ, got " & $show($value)`
	return Param{
		Name:     key,
		Describe: "a UTC time YYYY-MM-DDThh:mm:ssZ whose previous day is processed, instead of " + dateKey,
		Check: `(
			$type($value) != "string" ? ` + bad + `
			: $not($contains($value, /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?Z$/))
				or $substring($value, $length($value) - 1) != "Z" ? ` + bad + `
			: $number($substring($value, 11, 2)) > 23 or $number($substring($value, 14, 2)) > 59 or $number($substring($value, 17, 2)) > 60
				? "` + key + ` " & $show($value) & " is not a time of day"
			: "` + dateKey + `" in $keys($in) ? "` + key + ` and ` + dateKey + ` are both given: give one"
			: (
				$date := $substring($value, 0, 10);
				$problem := ` + dateProblemExpr(key) + `;
				$problem ? $problem
				: $date = "` + MinDate + `" ? "` + key + ` " & $show($value) & ": the day before is before ` + MinDate + `"
				: []
			)
		)`,
	}
}

// DayBeforeDefault is a Default for the date param: the day before key's
// time when the input has key, else the execution's start date.
func DayBeforeDefault(key string) string {
	return `"` + key + `" in $keys($in) ? ` + DayBeforeExpr(`$lookup($in, "`+key+`")`) + ` : $today`
}

// DayBeforeExpr is a JSONata expression for the date (YYYY-MM-DD) before
// the date that starts the string ts evaluates to, which must already be
// valid: calendar arithmetic on the parts, as DateParam checks dates,
// with no date function that engines read differently.
func DayBeforeExpr(ts string) string {
	return `(
		$ts := ` + ts + `;
		$y := $number($substring($ts, 0, 4));
		$m := $number($substring($ts, 5, 2));
		$d := $number($substring($ts, 8, 2));
		$py := $m = 1 and $d = 1 ? $y - 1 : $y;
		$pm := $d > 1 ? $m : ($m = 1 ? 12 : $m - 1);
		$leap := $py % 4 = 0 and ($py % 100 != 0 or $py % 400 = 0);
		$pd := $d > 1 ? $d - 1 : [31, $leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][$pm - 1];
		$pad($string($py), -4, "0") & "-" & $pad($string($pm), -2, "0") & "-" & $pad($string($pd), -2, "0")
	)`
}
