package jsonata_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/partialruns/velib-pipeline/internal/jsonata"
)

func TestExpressions(t *testing.T) {
	def := `{"StartAt": "A", "States": {
		"A": {"Type": "Choice", "QueryLanguage": "JSONata",
			"Choices": [{"Condition": "{% $states.input.x %}", "Next": "B"}]},
		"B": {"Type": "Parallel", "Branches": [{"StartAt": "C", "States": {
			"C": {"Type": "Pass", "Output": {"y": "{% 1 + 1 %}", "z": "not an expression"}, "End": true}}}], "End": true}}}`
	got, err := jsonata.Expressions([]byte(def))
	if err != nil {
		t.Fatal(err)
	}
	want := []jsonata.Expression{
		{Where: ".States.A.Choices[0].Condition", Source: " $states.input.x "},
		{Where: ".States.B.Branches[0].States.C.Output.y", Source: " 1 + 1 "},
	}
	if !slices.Equal(got, want) {
		t.Errorf("Expressions = %v, want %v", got, want)
	}
}

func TestLint(t *testing.T) {
	tests := []struct {
		source string
		rules  []string // the rules reported, in order; none for a portable expression
	}{
		{`$states.input.process_date`, nil},
		{`$states.input.(process_date)`, nil},
		{`$filter($keys($states.input), function($k) { $k != "Comment" })`, nil},
		{`$states.input.items[price > 10].name`, nil},
		{`$states.input{kind: $count(id)}`, nil},
		{`$states.input.items^(price)`, nil},
		{`{"k": $states.input.x, "n": 1}`, nil},
		{`($a := [1, 2]; $a[0])`, nil},
		{`"undefined"`, nil},
		{`$toMillis($states.context.Execution.StartTime)`, nil},
		{`$ok ? undefined : "bad"`, []string{"top-level-field"}},
		{`process_date`, []string{"top-level-field"}},
		{`{"k": x}`, []string{"top-level-field"}},
		{`$map($xs, function($v) { name })`, []string{"top-level-field"}},
		{`*`, []string{"top-level-field"}},
		{`**.x`, []string{"top-level-field"}},
		{`$names[$not($ in $flags)]`, []string{"lone-dollar"}},
		{`$`, []string{"lone-dollar"}},
		{`$$.input`, []string{"double-dollar"}},
		{`$eval("1 + 1")`, []string{"eval"}},
		{`$toMillis($d, "[Y0001]-[M01]-[D01]")`, []string{"date-picture"}},
		{`$fromMillis(0, "[Y0001]")`, []string{"date-picture"}},
		{`$states.input.(`, []string{"syntax"}},
	}
	exprs := make([]jsonata.Expression, len(tests))
	for i, tc := range tests {
		exprs[i] = jsonata.Expression{Where: tc.source, Source: tc.source}
	}
	findings, err := jsonata.Lint(exprs)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.source, func(t *testing.T) {
			var got []string
			for _, f := range findings {
				if f.Where == tc.source {
					got = append(got, f.Rule)
				}
			}
			if !slices.Equal(got, tc.rules) {
				t.Errorf("rules = %v, want %v", got, tc.rules)
			}
		})
	}
}

// TestDifferences shows that the comparison can fail: a picture-string
// date parse of an impossible date is an error on the Java lineage and
// jsonata-go and a value on jsonata-js, and jsonata-go reads a JSON null as
// nothing. Everything else here agrees.
func TestDifferences(t *testing.T) {
	exprs := []jsonata.Expression{
		{Where: "picture", Source: `$toMillis($states.input, "[Y0001]-[M01]-[D01]")`},
		{Where: "keys", Source: `$sort($keys($states.input))`},
		{Where: "null", Source: `$states.input.n`},
		{Where: "missing", Source: `$states.input.nothing`},
		{Where: "start", Source: `$substring($states.context.Execution.StartTime, 0, 10)`},
	}
	cases := []jsonata.Case{
		{Input: json.RawMessage(`"2026-02-30"`)},
		{Input: json.RawMessage(`{"b": 1, "a": 2, "n": null}`), Context: map[string]any{"Execution": map[string]any{"StartTime": "2026-11-21T23:50:18Z"}}},
	}
	diffs, first, err := jsonata.Differences(exprs, cases)
	if err != nil {
		t.Fatal(err)
	}
	if len(diffs) != 2 || diffs[0].Case != 0 || diffs[0].Expression.Where != "picture" ||
		diffs[1].Case != 1 || diffs[1].Expression.Where != "null" || diffs[1].Outcomes[jsonata.Go].Defined() {
		t.Fatalf("differences = %v, want exactly the picture parse of case 0 and jsonata-go's null of case 1", diffs)
	}
	got := first[1]
	if !got[2].Defined() || got[2].Value != nil {
		t.Errorf("a JSON null must be a defined null, got %s", got[2])
	}
	if got[3].Defined() || got[3].Failed() {
		t.Errorf("a missing field must be undefined, got %s", got[3])
	}
	if got[4].Value != "2026-11-21" {
		t.Errorf("start date = %s", got[4])
	}
}
