package skippable_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/constructs/skippable"
	"github.com/partialruns/velib-pipeline/internal/modroot"
)

// validatedMachine is a small machine with two guards behind a validation.
func validatedMachine(t *testing.T) asl {
	return render(t, func(s awscdk.Stack) sfn.IChainable {
		a := skippable.New(s, jsii.String("A"), &skippable.Props{Flag: "ingest", Body: pass(s, "Ingest")})
		b := skippable.New(s, jsii.String("B"), &skippable.Props{Flag: "refine", Body: pass(s, "Refine")})
		v := skippable.NewValidation(s, jsii.String("Validate"), nil)
		return v.Next(a).Next(b.End())
	})
}

func TestValidationShape(t *testing.T) {
	def := validatedMachine(t)
	if def.StartAt != skippable.ValidateName {
		t.Fatalf("StartAt = %q, want %q", def.StartAt, skippable.ValidateName)
	}
	choice := def.States[skippable.ValidateName]
	if choice["Type"] != "Choice" || choice["QueryLanguage"] != "JSONata" {
		t.Errorf("validation state = %v, want a JSONata Choice", choice)
	}
	if choice["Default"] != skippable.InvalidName {
		t.Errorf("Default = %v, want %q", choice["Default"], skippable.InvalidName)
	}
	rules := choice["Choices"].([]any)
	if len(rules) != 1 || rules[0].(map[string]any)["Next"] != "Run ingest?" {
		t.Errorf("rules = %v, want one valid rule leading to the first guard", rules)
	}
	fail := def.States[skippable.InvalidName]
	if fail["Type"] != "Fail" || fail["QueryLanguage"] != "JSONata" || fail["Error"] != skippable.ErrorInvalidInput {
		t.Errorf("fail state = %v", fail)
	}
	// Only the validation speaks JSONata; the guards stay JSONPath so the
	// local interpreter used in behaviour tests can run them.
	for name, st := range def.States {
		if ql, ok := st["QueryLanguage"]; ok && name != skippable.ValidateName && name != skippable.InvalidName {
			t.Errorf("state %q sets QueryLanguage %v", name, ql)
		}
	}
}

func TestValidationNeedsFlags(t *testing.T) {
	msg := synthError(func(s awscdk.Stack) sfn.IChainable {
		return skippable.NewValidation(s, jsii.String("Validate"), nil).Next(pass(s, "X"))
	})
	mustContain(t, msg, "no flags to validate; create the guards before the validation")
}

// TestValidationExpressions evaluates the rendered JSONata with the jsonata
// package at 2.0.6, the version Step Functions ships, for the inputs a user
// can type. The guards' JSONPath is exercised by the behaviour tests.
func TestValidationExpressions(t *testing.T) {
	def := validatedMachine(t)
	rule := def.States[skippable.ValidateName]["Choices"].([]any)[0].(map[string]any)
	exprs := map[string]string{
		"valid":  rule["Condition"].(string),
		"output": rule["Output"].(string),
		"cause":  def.States[skippable.InvalidName]["Cause"].(string),
	}
	const start = "2026-11-21T23:50:18.123Z"
	pending := map[string]any{"status": "pending"}
	skipped := map[string]any{"status": "skipped"}
	tests := []struct {
		name  string
		input string
		// want is the validated output, or nil when the input is invalid.
		want map[string]any
		// cause lists what the failure cause must mention.
		cause []string
	}{
		{name: "empty object", input: `{}`,
			want: map[string]any{"process_date": "2026-11-21", "runs": map[string]any{"ingest": pending, "refine": pending}}},
		{name: "console default comment", input: `{"Comment": "Insert your JSON here"}`,
			want: map[string]any{"Comment": "Insert your JSON here", "process_date": "2026-11-21", "runs": map[string]any{"ingest": pending, "refine": pending}}},
		{name: "one flag false", input: `{"ingest": false}`,
			want: map[string]any{"ingest": false, "process_date": "2026-11-21", "runs": map[string]any{"ingest": skipped, "refine": pending}}},
		{name: "flags true and false with a date", input: `{"ingest": true, "refine": false, "process_date": "2024-02-29"}`,
			want: map[string]any{"ingest": true, "refine": false, "process_date": "2024-02-29", "runs": map[string]any{"ingest": pending, "refine": skipped}}},
		{name: "misspelt flag", input: `{"ingets": false}`, cause: []string{`unknown key(s) "ingets"`, "valid flags are ingest, refine"}},
		{name: "several unknown keys", input: `{"a": 1, "refine": true, "b": 2}`, cause: []string{`unknown key(s) "a", "b"`}},
		{name: "string false", input: `{"ingest": "false"}`, cause: []string{`flag "ingest" must be true or false, got "false"`}},
		{name: "zero", input: `{"ingest": 0}`, cause: []string{`flag "ingest" must be true or false, got 0`}},
		{name: "null", input: `{"refine": null}`, cause: []string{`flag "refine" must be true or false, got null`}},
		{name: "nested object", input: `{"refine": {"enabled": false}}`, cause: []string{`flag "refine" must be true or false, got {"enabled":false}`}},
		{name: "array input", input: `[{"ingest": false}]`, cause: []string{"input must be a JSON object, got array"}},
		{name: "string input", input: `"ingest"`, cause: []string{"input must be a JSON object, got string"}},
		{name: "date not in the calendar", input: `{"process_date": "2026-02-30"}`, cause: []string{`process_date must be a date YYYY-MM-DD, got "2026-02-30"`}},
		{name: "date without padding", input: `{"process_date": "2026-2-3"}`, cause: []string{`got "2026-2-3"`}},
		{name: "date as a number", input: `{"process_date": 20260101}`, cause: []string{"process_date must be a date YYYY-MM-DD, got 20260101"}},
		{name: "every problem at once", input: `{"x": true, "ingest": "yes", "process_date": "today"}`,
			cause: []string{`unknown key(s) "x"`, `flag "ingest" must be true or false, got "yes"`, `got "today"`}},
	}
	var cases []map[string]any
	for _, tc := range tests {
		var input any
		if err := json.Unmarshal([]byte(tc.input), &input); err != nil {
			t.Fatalf("%s: bad test input: %v", tc.name, err)
		}
		cases = append(cases, map[string]any{"input": input, "context": map[string]any{"Execution": map[string]any{"StartTime": start}}})
	}
	results := evalJSONata(t, exprs, cases)
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := results[i]
			if valid, _ := got["valid"].(bool); valid != (tc.want != nil) {
				t.Fatalf("valid = %v, want %v (cause %v)", got["valid"], tc.want != nil, got["cause"])
			}
			if tc.want != nil {
				if !reflect.DeepEqual(got["output"], tc.want) {
					t.Errorf("output = %v, want %v", got["output"], tc.want)
				}
				return
			}
			cause, _ := got["cause"].(string)
			for _, c := range tc.cause {
				mustContain(t, cause, c)
			}
		})
	}
}

// evalJSONata runs testdata/jsonata_eval.js with the project's Node 22 and
// jsonata 2.0.6, which make installs into .tools/node_modules.
func evalJSONata(t *testing.T, exprs map[string]string, cases []map[string]any) []map[string]any {
	t.Helper()
	in, err := json.Marshal(map[string]any{"expressions": exprs, "cases": cases})
	if err != nil {
		t.Fatal(err)
	}
	root, err := modroot.Find()
	if err != nil {
		t.Fatal(err)
	}
	modules := filepath.Join(root, ".tools", "node_modules")
	cmd := exec.Command(filepath.Join(modules, ".bin", "node"), "testdata/jsonata_eval.js")
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node testdata/jsonata_eval.js: %v\n%s\n(run 'make test', which installs Node and jsonata into .tools/)", err, strings.TrimSpace(stderr.String()))
	}
	var results []map[string]any
	if err := json.Unmarshal(out, &results); err != nil {
		t.Fatalf("decoding evaluator output: %v\n%s", err, out)
	}
	return results
}
