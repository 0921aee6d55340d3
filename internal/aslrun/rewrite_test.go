package aslrun

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestRewriteNegatedTests(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{
			name: "IsPresent false at the top of a rule",
			in:   `{"Variable": "$.f", "IsPresent": false, "Next": "A", "Comment": "absent"}`,
			want: `{"Not": {"Variable": "$.f", "IsPresent": true}, "Next": "A", "Comment": "absent"}`,
		},
		{
			name: "other Is tests",
			in:   `{"Variable": "$.f", "IsNull": false, "Next": "A"}`,
			want: `{"Not": {"Variable": "$.f", "IsNull": true}, "Next": "A"}`,
		},
		{
			name: "inside And, Or and Not",
			in:   `{"And": [{"Variable": "$.a", "IsString": false}, {"Or": [{"Variable": "$.b", "IsBoolean": false}]}, {"Not": {"Variable": "$.c", "IsNumeric": false}}], "Next": "A"}`,
			want: `{"And": [{"Not": {"Variable": "$.a", "IsString": true}}, {"Or": [{"Not": {"Variable": "$.b", "IsBoolean": true}}]}, {"Not": {"Not": {"Variable": "$.c", "IsNumeric": true}}}], "Next": "A"}`,
		},
		{
			name: "true tests and comparisons are left alone",
			in:   `{"Variable": "$.f", "IsPresent": true, "Next": "A"}`,
			want: `{"Variable": "$.f", "IsPresent": true, "Next": "A"}`,
		},
		{
			name: "BooleanEquals false is a comparison, not a test",
			in:   `{"Variable": "$.f", "BooleanEquals": false, "Next": "A"}`,
			want: `{"Variable": "$.f", "BooleanEquals": false, "Next": "A"}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// The rule sits in a Parallel branch to check the walk too.
			def := `{"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
				{"StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": [` + tc.in + `], "Default": "A"}, "A": {"Type": "Succeed"}}}]}}}`
			out, err := RewriteNegatedTests([]byte(def))
			if err != nil {
				t.Fatal(err)
			}
			var got map[string]any
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatal(err)
			}
			rule := got["States"].(map[string]any)["P"].(map[string]any)["Branches"].([]any)[0].(map[string]any)["States"].(map[string]any)["C"].(map[string]any)["Choices"].([]any)[0]
			var want any
			if err := json.Unmarshal([]byte(tc.want), &want); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(rule, want) {
				t.Errorf("got  %v\nwant %v", rule, want)
			}
		})
	}
}

func TestRewriteRejectsBadJSON(t *testing.T) {
	if _, err := RewriteNegatedTests([]byte("{")); err == nil {
		t.Error("no error for invalid JSON")
	}
}
