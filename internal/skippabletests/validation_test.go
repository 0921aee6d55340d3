package skippabletests

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/constructs/skippable"
	"github.com/partialruns/velib-pipeline/constructs/skippable/contract"
	"github.com/partialruns/velib-pipeline/constructs/skippable/skippabletest"
	"github.com/partialruns/velib-pipeline/constructs/skippable/validation"
	"github.com/partialruns/velib-pipeline/internal/flaginputs"
	"github.com/partialruns/velib-pipeline/internal/jsonata"
)

// validatedMachine is a small machine with two guards behind a validation.
func validatedMachine(t *testing.T) asl {
	return synthASL(t, func(s awscdk.Stack) sfn.IChainable {
		a := skippable.New(s, jsii.String("A"), &skippable.Props{Flag: "ingest", Body: pass(s, "Ingest")})
		b := skippable.New(s, jsii.String("B"), &skippable.Props{Flag: "refine", Body: pass(s, "Refine")})
		v := validation.New(s, jsii.String("Validate"), dated)
		return v.Next(a).Next(b.End())
	})
}

func TestValidationShape(t *testing.T) {
	def := validatedMachine(t)
	if def.StartAt != contract.ValidateName {
		t.Fatalf("StartAt = %q, want %q", def.StartAt, contract.ValidateName)
	}
	choice := def.States[contract.ValidateName]
	if choice["Type"] != "Choice" || choice["QueryLanguage"] != "JSONata" {
		t.Errorf("validation state = %v, want a JSONata Choice", choice)
	}
	if choice["Default"] != contract.InvalidName {
		t.Errorf("Default = %v, want %q", choice["Default"], contract.InvalidName)
	}
	rules := choice["Choices"].([]any)
	if len(rules) != 1 || rules[0].(map[string]any)["Next"] != "Run ingest?" {
		t.Errorf("rules = %v, want one valid rule leading to the first guard", rules)
	}
	fail := def.States[contract.InvalidName]
	if fail["Type"] != "Fail" || fail["QueryLanguage"] != "JSONata" || fail["Error"] != contract.ErrorInvalidInput {
		t.Errorf("fail state = %v", fail)
	}
	// Only the validation speaks JSONata; the guards stay JSONPath so the
	// local interpreter used in behaviour tests can run them.
	for name, st := range def.States {
		if ql, ok := st["QueryLanguage"]; ok && name != contract.ValidateName && name != contract.InvalidName {
			t.Errorf("state %q sets QueryLanguage %v", name, ql)
		}
	}
}

// TestValidationExpressions evaluates every JSONata expression of the
// rendered validation on both pinned engines (jsonata-js 2.0.6 and the Java
// lineage's jsonata-python) for the shared table of inputs, fails on any
// difference between them, and checks the verdict, the filled-in output and
// the cause against the table.
func TestValidationExpressions(t *testing.T) {
	def := validatedMachine(t)
	rule := def.States[contract.ValidateName]["Choices"].([]any)[0].(map[string]any)
	exprs := []jsonata.Expression{
		{Where: "valid", Source: unwrap(t, rule["Condition"])},
		{Where: "output", Source: unwrap(t, rule["Output"])},
		{Where: "cause", Source: unwrap(t, def.States[contract.InvalidName]["Cause"])},
	}
	flags := []string{"ingest", "refine"}
	table := flaginputs.Table(flags)
	cases := make([]jsonata.Case, len(table))
	for i, in := range table {
		cases[i] = jsonata.Case{Input: json.RawMessage(in.JSON), Context: map[string]any{"Execution": map[string]any{"StartTime": flaginputs.StartTime}}}
	}
	diffs, results, err := jsonata.Differences(exprs, cases)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diffs {
		// Step Functions evaluates Output only on the rule taken, so the
		// output of an invalid input never matters.
		if d.Expression.Where == "output" && !table[d.Case].Valid {
			continue
		}
		t.Errorf("%s: the engines disagree on %s", table[d.Case].Name, d)
	}
	for i, in := range table {
		t.Run(in.Name, func(t *testing.T) {
			valid, output, cause := results[i][0], results[i][1], results[i][2]
			if valid.Failed() || valid.Value != in.Valid {
				t.Fatalf("valid = %s, want %v (cause %s)", valid, in.Valid, cause)
			}
			if !in.Valid {
				for _, c := range in.Cause {
					mustContain(t, cause.Value.(string), c)
				}
				return
			}
			// A flag switched off is recorded as skipped; the guards
			// record the others as their bodies finish.
			runs := map[string]any{}
			for _, f := range in.Off {
				runs[f] = map[string]any{"status": "skipped"}
			}
			var want map[string]any
			if err := json.Unmarshal([]byte(in.JSON), &want); err != nil {
				t.Fatal(err)
			}
			want["process_date"], want["runs"] = in.Date, runs
			if !reflect.DeepEqual(output.Value, want) {
				t.Errorf("output = %s, want %v", output, want)
			}
		})
	}
}

func unwrap(t *testing.T, v any) string {
	t.Helper()
	s, _ := v.(string)
	src, ok := jsonata.Unwrap(s)
	if !ok {
		t.Fatalf("%v is not a JSONata expression", v)
	}
	return src
}

// TestProblems: the validation's Go-side check of an input, which a stored
// input is given at synth, reaches the verdict and cause the definition's
// expression reaches in Step Functions, for every input of the shared
// table.
func TestProblems(t *testing.T) {
	var v *validation.Validation
	synthASL(t, func(s awscdk.Stack) sfn.IChainable {
		a := skippable.New(s, jsii.String("A"), &skippable.Props{Flag: "ingest", Body: pass(s, "Ingest")})
		b := skippable.New(s, jsii.String("B"), &skippable.Props{Flag: "refine", Body: pass(s, "Refine")})
		v = validation.New(s, jsii.String("Validate"), dated)
		return v.Next(a).Next(b.End())
	})
	start, err := time.Parse(time.RFC3339, flaginputs.StartTime)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range flaginputs.Table([]string{"ingest", "refine"}) {
		var input any
		if err := json.Unmarshal([]byte(in.JSON), &input); err != nil {
			t.Fatal(err)
		}
		problems, err := skippabletest.Problems(v.ProblemsExpression(), input, start)
		if err != nil {
			t.Fatalf("%s: %v", in.Name, err)
		}
		if in.Valid != (len(problems) == 0) {
			t.Errorf("%s: problems %q, valid %v", in.Name, problems, in.Valid)
		}
		for _, c := range in.Cause {
			if !strings.Contains(strings.Join(problems, "; "), c) {
				t.Errorf("%s: problems %q do not say %q", in.Name, problems, c)
			}
		}
	}
}
