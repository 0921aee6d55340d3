package validation

import (
	"encoding/json"
	"strings"

	"github.com/partialruns/velib-pipeline/constructs/skippable/contract"
	"github.com/partialruns/velib-pipeline/constructs/skippable/render"
)

// The validation is written in JSONata because only JSONata can list an
// object's keys ($keys), and unknown keys are exactly the mistake to catch: a
// misspelt flag would otherwise be ignored and its task would run.
//
// Step Functions documents JSONata 2.0.6 but not the implementation behind
// it, and emulators embed others, so the expressions keep to what every
// implementation reads the same way (package internal/jsonata checks each
// rule on the synthesized definition):
//   - no field read from the context item: Step Functions evaluates with
//     none, so a bare name (even `undefined`) is a path to nothing, and
//     AWS has been reported to refuse such a definition when it is created;
//     "nothing" is an empty array, which array constructors flatten away;
//   - no lone $ or $$, which LocalStack and moto refuse anywhere: every
//     iteration names its item ($filter, $map with function($k));
//   - no date pictures ($toMillis with "[Y0001]…" throws on impossible dates
//     on the Java lineage and accepts year 1 on one engine only): a date is
//     checked by pattern, length and calendar arithmetic on its parts, and
//     compared with others as a string;
//   - no test that a missing value would pass: jsonata-go reads a JSON
//     null as nothing, and a comparison with nothing is false, so the
//     input is tested to be an object, not tested not to be one;
//   - nothing that depends on number formatting or key order: a wrong value
//     is described by its type unless it is a string or a boolean, and
//     unknown keys are sorted by their percent-encoded UTF-8 form, which
//     every engine orders alike (plain string order differs between UTF-16
//     and code-point engines).

// problemsExpr is a JSONata expression that evaluates to the list of things
// wrong with $states.input, empty when the input is valid. Each message names
// the key at fault.
func problemsExpr(flags []string, params []contract.Param) string {
	known := append([]string{contract.CommentKey}, contract.Names(params)...)
	var checks []string
	for _, p := range params {
		checks = append(checks, `"`+p.Name+`" in $names ? ($value := $lookup($in, "`+p.Name+`"); `+p.Check+`) : []`)
	}
	return oneLine(`(
		$flags := ` + jsonList(flags) + `;
		$in := $states.input;
		$today := $substring($states.context.Execution.StartTime, 0, 10);
		$show := ` + render.ShowFunc + `;
		$type($in) = "object" ? (
			$names := $keys($in);
			$unknown := $sort(
				$filter($names, function($k) { $not($k in $flags) and $not($k in ` + jsonList(known) + `) }),
				function($a, $b) { $encodeUrlComponent($a) > $encodeUrlComponent($b) }
			);
			$notBool := $filter($flags, function($f) { $f in $names and $type($lookup($in, $f)) != "boolean" });
			[
				$count($unknown) > 0
					? "unknown key(s) " & $join($map($unknown, function($k) {
						"\"" & $k & "\"" & ($contains($k, /^[ -~]*$/) ? "" : " (URL-encoded: " & $encodeUrlComponent($k) & ")")
					}), ", ")
						& "; valid flags are " & $join($flags, ", ") & " (plus optional ` + optionalKeys(params) + `)"
					: [],
				$map($notBool, function($f) { "flag \"" & $f & "\" must be true or false, got " & $show($lookup($in, $f)) })` +
		prefixEach(", ", checks) + `
			]
		) : ["input must be a JSON object, got " & $show($in)]
	)`)
}

// optionalKeys names the keys the input may hold besides the flags.
func optionalKeys(params []contract.Param) string {
	names := append(contract.Names(params), contract.CommentKey)
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

func prefixEach(prefix string, items []string) string {
	var b strings.Builder
	for _, it := range items {
		b.WriteString(prefix + it)
	}
	return b.String()
}

// outputExpr is a JSONata expression for the validated state: the input as
// sent, plus each declared parameter's default where the input has none,
// each derived value under its name, and under RunsKey a skipped record for each flag the input sets to false
// (a guard in mid-chain skips without a state of its own to record it).
// The guards record the bodies that run as they finish. No record is
// written ahead for those: a Parallel merges its branches' records, which
// works because no flag has a record in more than one branch unless every
// branch inherited it.
func outputExpr(flags []string, params []contract.Param, derived []contract.Derived) string {
	var defaults []string
	for _, p := range params {
		if p.Default != "" {
			defaults = append(defaults, `"`+p.Name+`" in $keys($states.input) ? {} : {"`+p.Name+`": (`+p.Default+`)}`)
		}
	}
	for _, d := range derived {
		defaults = append(defaults, `{"`+d.Name+`": (`+d.Expr+`)}`)
	}
	return oneLine(`(
		$in := $states.input;
		$today := $substring($states.context.Execution.StartTime, 0, 10);
		$merge([$states.input` + prefixEach(", ", defaults) + `, {
			"` + contract.RunsKey + `": $merge($append([{}], $map(
				$filter(` + jsonList(flags) + `, function($f) { $lookup($states.input, $f) = false }),
				function($f) { {$f: {"status": "` + contract.StatusSkipped + `"}} }
			)))
		}])
	)`)
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

// oneLine folds the indentation used above for reading into single
// spaces: the definition holds each expression on one line.
func oneLine(expr string) string { return strings.Join(strings.Fields(expr), " ") }
