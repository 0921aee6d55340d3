package skippabletests

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/constructs/skippable"
	"github.com/partialruns/velib-pipeline/constructs/skippable/contract"
	"github.com/partialruns/velib-pipeline/constructs/skippable/validation"
	"github.com/partialruns/velib-pipeline/internal/flaginputs"
	"github.com/partialruns/velib-pipeline/internal/jsonata"
)

// TestDerived: a derived value is in the validated output on every engine,
// and DaysExpr counts what checkDateRange (the oracle) accepts: a range's days, both
// ends included, and one day for a single date or none.
func TestDerived(t *testing.T) {
	props := &validation.Props{
		Params:  []contract.Param{contract.DateRangeParam("process_date", 366)},
		Derived: []contract.Derived{{Name: "days", Expr: contract.DaysExpr("process_date")}},
	}
	def := synthASL(t, func(s awscdk.Stack) sfn.IChainable {
		a := skippable.New(s, jsii.String("A"), &skippable.Props{Flag: "ingest", Body: pass(s, "Ingest")})
		b := skippable.New(s, jsii.String("B"), &skippable.Props{Flag: "refine", Body: pass(s, "Refine")})
		return validation.New(s, jsii.String("Validate"), props).Next(a).Next(b.End())
	})
	rule := def.States[contract.ValidateName]["Choices"].([]any)[0].(map[string]any)
	exprs := []jsonata.Expression{{Where: "output", Source: unwrap(t, rule["Output"])}}
	var names []string
	var want []float64
	var cases []jsonata.Case
	for _, in := range flaginputs.Table([]string{"ingest", "refine"}, flaginputs.Options{MaxRangeDays: 366}) {
		if !in.Valid {
			continue
		}
		names = append(names, in.Name)
		want = append(want, float64(daysOf(t, in.Date)))
		cases = append(cases, jsonata.Case{Input: json.RawMessage(in.JSON), Context: map[string]any{"Execution": map[string]any{"StartTime": flaginputs.StartTime}}})
	}
	ranges := 0
	for _, n := range want {
		if n > 1 {
			ranges++
		}
	}
	if ranges < 3 {
		t.Fatalf("only %d ranges of more than one day in the table", ranges)
	}
	for _, engine := range jsonata.Engines {
		results, err := jsonata.Evaluate(engine, exprs, cases)
		if err != nil {
			t.Fatal(err)
		}
		for i, name := range names {
			out, _ := results[i][0].Value.(map[string]any)
			if got := out["days"]; got != want[i] {
				t.Errorf("%s: %s: days = %v, want %v (output %s)", engine, name, got, want[i], results[i][0])
			}
		}
	}
}

// daysOf counts the days of a date or range as Go's time package does.
func daysOf(t *testing.T, value string) int {
	t.Helper()
	first, last, isRange := strings.Cut(value, contract.RangeSep)
	if !isRange {
		return 1
	}
	a, err := time.Parse(time.DateOnly, first)
	if err != nil {
		t.Fatal(err)
	}
	b, err := time.Parse(time.DateOnly, last)
	if err != nil {
		t.Fatal(err)
	}
	return int(b.Sub(a).Hours()/24) + 1
}

// TestDerivedNames: a derived value may not take a name later states
// would read ambiguously.
func TestDerivedNames(t *testing.T) {
	tests := []struct {
		name    string
		derived []contract.Derived
		want    string
	}{
		{"a flag's name", []contract.Derived{{Name: "ingest", Expr: "1"}}, `derived value "ingest" takes the name of an input key`},
		{"a parameter's name", []contract.Derived{{Name: "process_date", Expr: "1"}}, `derived value "process_date" takes the name of an input key`},
		{"the records", []contract.Derived{{Name: contract.RunsKey, Expr: "1"}}, `derived value "runs" takes the name of an input key`},
		{"the comment", []contract.Derived{{Name: contract.CommentKey, Expr: "1"}}, `derived value "Comment" takes the name of an input key`},
		{"not a plain key", []contract.Derived{{Name: "glue-capacity", Expr: "1"}}, `derived value "glue-capacity" is not valid`},
		{"twice", []contract.Derived{{Name: "n", Expr: "1"}, {Name: "n", Expr: "2"}}, `derived value "n" is declared twice`},
		{"no expression", []contract.Derived{{Name: "n"}}, `derived value "n" has no expression`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg := synthError(func(s awscdk.Stack) sfn.IChainable {
				a := skippable.New(s, jsii.String("A"), &skippable.Props{Flag: "ingest", Body: pass(s, "Ingest")})
				props := &validation.Props{Params: dated.Params, Derived: tc.derived}
				return validation.New(s, jsii.String("Validate"), props).Next(a.End())
			})
			if !strings.Contains(msg, tc.want) {
				t.Errorf("synth error %q does not say %q", msg, tc.want)
			}
		})
	}
}
