package skippable

import (
	"encoding/json"
	"strings"
)

// The validation is written in JSONata because only JSONata can list an
// object's keys ($keys), and unknown keys are exactly the mistake to catch: a
// misspelt flag would otherwise be ignored and its task would run. Step
// Functions evaluates these with JSONata 2.0.6.

// problemsExpr is a JSONata expression that evaluates to the list of things
// wrong with $states.input, empty when the input is valid. Each message names
// the key at fault.
func problemsExpr(flags []string) string {
	list := jsonList(flags)
	return oneLine(`(
		$flags := ` + list + `;
		$in := $states.input;
		$show := function($v) { $type($v) = "string" ? "\"" & $v & "\"" : $string($v) };
		$type($in) != "object" ? ["input must be a JSON object, got " & $type($in)] : (
			$names := $keys($in);
			$unknown := $names[$not($ in $flags) and $not($ in ["` + CommentKey + `", "` + DateKey + `"])];
			$notBool := $names[$ in $flags and $type($lookup($in, $)) != "boolean"];
			$date := $lookup($in, "` + DateKey + `");
			$dateOK := $not($exists($date)) or (
				$type($date) = "string"
				and $contains($date, /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/)
				and $fromMillis($toMillis($date, "[Y0001]-[M01]-[D01]"), "[Y0001]-[M01]-[D01]") = $date
			);
			[
				$exists($unknown) ? "unknown key(s) " & $join($unknown.("\"" & $ & "\""), ", ")
					& "; valid flags are " & $join($flags, ", ") & " (plus optional ` + DateKey + ` and ` + CommentKey + `)",
				$notBool.("flag \"" & $ & "\" must be true or false, got " & $show($lookup($in, $))),
				$dateOK ? undefined : "` + DateKey + ` must be a date YYYY-MM-DD, got " & $show($date)
			]
		)
	)`)
}

// outputExpr is a JSONata expression for the validated state: the input as
// sent, plus the processing date (the execution's start date, UTC, unless the
// input names one) and a pending or skipped record per flag under RunsKey.
func outputExpr(flags []string) string {
	return oneLine(`$merge([$states.input, {
		"` + DateKey + `": $exists($states.input.` + DateKey + `)
			? $states.input.` + DateKey + `
			: $substring($states.context.Execution.StartTime, 0, 10),
		"` + RunsKey + `": $merge(` + jsonList(flags) + `.{
			$: {"status": $lookup($states.input, $) = false ? "` + StatusSkipped + `" : "` + StatusPending + `"}
		})
	}])`)
}

// jsonata wraps an expression in the delimiters Step Functions expects.
func jsonata(expr string) string { return "{% " + expr + " %}" }

func jsonList(items []string) string {
	b, err := json.Marshal(items)
	if err != nil {
		panic(err) // a []string always marshals
	}
	return string(b)
}

// oneLine folds the indentation used above for reading, so the definition
// shown in the console stays compact. The expressions hold no string literal
// with a newline or a run of spaces, so folding white space is safe.
func oneLine(expr string) string {
	return strings.Join(strings.Fields(expr), " ")
}
