package contracttests

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/partialruns/velib-pipeline/constructs/skippable/contract"
	"github.com/partialruns/velib-pipeline/constructs/skippable/render"
	"github.com/partialruns/velib-pipeline/internal/flaginputs"
	"github.com/partialruns/velib-pipeline/internal/jsonata"
)

func TestCheckFlag(t *testing.T) {
	tests := []struct {
		name, problem string // "" when the name is a valid flag
	}{
		{"lambda_load_data", ""},
		{"A", ""},
		{strings.Repeat("a", contract.MaxFlagLength), ""},
		{strings.Repeat("a", contract.MaxFlagLength+1), "the limit is 75"},
		{"", "empty flag name"},
		{"1abc", "not valid"},
		{"a-b", "not valid"},
		{"a.b", "not valid"},
		{"Comment", "reserved"},
		{"runs", "reserved"},
		{"process_date", "declares it as an input parameter"},
	}
	for _, tc := range tests {
		err := contract.CheckFlag(tc.name, "process_date")
		switch {
		case tc.problem == "" && err != nil:
			t.Errorf("CheckFlag(%q) = %v, want nil", tc.name, err)
		case tc.problem != "" && (err == nil || !strings.Contains(err.Error(), tc.problem)):
			t.Errorf("CheckFlag(%q) = %v, want an error saying %q", tc.name, err, tc.problem)
		}
	}
	if got := len(contract.GuardName(strings.Repeat("a", contract.MaxFlagLength))); got > 80 {
		t.Errorf("the longest guard name has %d characters; Step Functions allows 80", got)
	}
}

func TestRecognise(t *testing.T) {
	rule := func(test map[string]any) map[string]any {
		test["Next"] = "Task"
		return test
	}
	tests := []struct {
		name  string
		state map[string]any
		want  render.Guard
		ok    bool
	}{
		{"as rendered", map[string]any{"Type": "Choice", "Default": "After", "Choices": []any{
			rule(map[string]any{"Variable": "$.load", "IsPresent": false}),
			rule(map[string]any{"Variable": "$.load", "BooleanEquals": true})}}, render.Guard{Flag: "load", Task: "Task", Skip: "After"}, true},
		{"negated presence", map[string]any{"Type": "Choice", "Default": "After", "Choices": []any{
			rule(map[string]any{"Not": map[string]any{"Variable": "$.load", "IsPresent": true}})}}, render.Guard{Flag: "load", Task: "Task", Skip: "After"}, true},
		{"two flags", map[string]any{"Type": "Choice", "Default": "After", "Choices": []any{
			rule(map[string]any{"Variable": "$.a", "IsPresent": false}),
			rule(map[string]any{"Variable": "$.b", "BooleanEquals": true})}}, render.Guard{}, false},
		{"runs on false", map[string]any{"Type": "Choice", "Default": "After", "Choices": []any{
			rule(map[string]any{"Variable": "$.load", "BooleanEquals": false})}}, render.Guard{}, false},
		{"no default", map[string]any{"Type": "Choice", "Choices": []any{
			rule(map[string]any{"Variable": "$.load", "IsPresent": false})}}, render.Guard{}, false},
		{"nested path", map[string]any{"Type": "Choice", "Default": "After", "Choices": []any{
			rule(map[string]any{"Variable": "$.a.b", "IsPresent": false})}}, render.Guard{}, false},
		{"reading the execution input", map[string]any{"Type": "Choice", "Default": "After", "Choices": []any{
			rule(map[string]any{"Variable": contract.FlagPath("load"), "IsPresent": false}),
			rule(map[string]any{"Variable": contract.FlagPath("load"), "BooleanEquals": true})}}, render.Guard{Flag: "load", Task: "Task", Skip: "After"}, true},
		{"JSONata", map[string]any{"Type": "Choice", "QueryLanguage": "JSONata", "Default": "After", "Choices": []any{
			rule(map[string]any{"Condition": render.FlagCondition("load")})}}, render.Guard{Flag: "load", Task: "Task", Skip: "After"}, true},
		{"JSONata, another condition", map[string]any{"Type": "Choice", "Default": "After", "Choices": []any{
			rule(map[string]any{"Condition": "{% $states.input.load %}"})}}, render.Guard{}, false},
		{"not a Choice", map[string]any{"Type": "Pass", "Next": "After"}, render.Guard{}, false},
	}
	for _, tc := range tests {
		got, ok := render.Recognise(tc.state)
		if ok != tc.ok || got != tc.want {
			t.Errorf("%s: Recognise = %+v, %v; want %+v, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

// TestDateRuleBothWays holds the date rule's two implementations to the
// same verdicts over every date in the shared table: DateParam's check,
// which runs in Step Functions (evaluated here on every engine), and
// checkDate, the same rule written in Go as an oracle.
func TestDateRuleBothWays(t *testing.T) {
	expr := `($value := $states.input.d; $today := "` + flaginputs.Today + `"; $show := ` + render.ShowFunc + `; ` + contract.DateParam("process_date").Check + `)`
	sameVerdicts(t, expr, flaginputs.Options{}, checkDate)
}

// TestDateRangeRuleBothWays does the same for DateRangeParam's check and
// checkDateRange, over every date and range in the shared table.
func TestDateRangeRuleBothWays(t *testing.T) {
	p := contract.DateRangeParam("process_date", 366)
	expr := `($value := $states.input.d; $in := $states.input; $today := "` + flaginputs.Today + `"; $show := ` + render.ShowFunc + `; ` + p.Check + `)`
	sameVerdicts(t, expr, flaginputs.Options{MaxRangeDays: 366},
		func(s string, today time.Time) error { return checkDateRange(s, today, 366) })
}

// sameVerdicts evaluates expr, a check of $states.input.d that evaluates
// to a message or to nothing, on every engine for each process_date of the
// table with opts, and fails where it and goCheck disagree on the verdict,
// or where a message does not name the key.
func sameVerdicts(t *testing.T, expr string, opts flaginputs.Options, goCheck func(string, time.Time) error) {
	t.Helper()
	today, err := time.Parse(time.RFC3339, flaginputs.StartTime)
	if err != nil {
		t.Fatal(err)
	}
	var dates []string
	var cases []jsonata.Case
	for _, in := range flaginputs.Table([]string{"a", "b"}, opts) {
		var input map[string]any
		if json.Unmarshal([]byte(in.JSON), &input) != nil {
			continue
		}
		if date, ok := input["process_date"].(string); ok {
			dates = append(dates, date)
			b, _ := json.Marshal(map[string]string{"d": date})
			cases = append(cases, jsonata.Case{Input: b})
		}
	}
	if len(dates) < 20 {
		t.Fatalf("only %d dates in the table", len(dates))
	}
	for _, engine := range jsonata.Engines {
		results, err := jsonata.Evaluate(engine, []jsonata.Expression{{Where: "date", Source: expr}}, cases)
		if err != nil {
			t.Fatal(err)
		}
		for i, date := range dates {
			r := results[i][0]
			if r.Failed() {
				t.Errorf("%s: %q: %s", engine, date, r)
				continue
			}
			problem, _ := r.Value.(string)
			goErr := goCheck(date, today)
			if (problem == "") != (goErr == nil) {
				t.Errorf("%s: %q: JSONata says %q, Go says %v", engine, date, problem, goErr)
			}
			if problem != "" && !strings.Contains(problem, "process_date") {
				t.Errorf("%s: %q: the message %q does not name the key", engine, date, problem)
			}
		}
	}
}
