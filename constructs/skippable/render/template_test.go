package render

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestFlatten(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string
		wantErr string
	}{
		{name: "plain string", in: `"{\"StartAt\":\"A\"}"`, want: `{"StartAt":"A"}`},
		{
			name: "join with pseudo parameters, Ref and GetAtt",
			in: `{"Fn::Join": ["", ["{\"R\":\"arn:", {"Ref": "AWS::Partition"}, ":states:::glue:startJobRun.sync\",\"J\":\"",
				{"Ref": "JobA1B2"}, "\",\"F\":\"", {"Fn::GetAtt": ["FnC3D4", "Arn"]}, "\",\"N\":\"", {"Fn::GetAtt": ["Q", "QueueName"]}, "\"}"]]}`,
			want: `{"R":"arn:aws:states:::glue:startJobRun.sync","J":"JobA1B2","F":"arn:aws:placeholder:us-east-1:123456789012:FnC3D4","N":"Q.QueueName"}`,
		},
		{name: "separator is honoured", in: `{"Fn::Join": [",", ["[1", "2]"]]}`, want: `[1,2]`},
		{name: "Fn::Sub inside a join", in: `{"Fn::Join": ["", ["{\"B\":\"", {"Fn::Sub": "cdk-assets-${AWS::AccountId}-${AWS::Region}-${Bucket}"}, "\"}"]]}`,
			want: `{"B":"cdk-assets-123456789012-us-east-1-Bucket"}`},
		{name: "unsupported intrinsic", in: `{"Fn::Join": ["", ["{", {"Fn::If": ["c", "a", "b"]}, "}"]]}`, wantErr: "cannot resolve"},
		{name: "not a join", in: `{"Fn::Sub": "x"}`, wantErr: "neither a string nor an Fn::Join"},
		{name: "result is not JSON", in: `{"Fn::Join": ["", ["{", "oops"]]}`, wantErr: "not valid JSON"},
		{name: "number", in: `3`, wantErr: "unexpected definition type"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var in any
			if err := json.Unmarshal([]byte(tc.in), &in); err != nil {
				t.Fatalf("bad test input: %v", err)
			}
			got, err := Flatten(in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestFromTemplate(t *testing.T) {
	machine := map[string]any{"Type": "AWS::StepFunctions::StateMachine", "Properties": map[string]any{"DefinitionString": `{"StartAt":"A"}`}}
	bucket := map[string]any{"Type": "AWS::S3::Bucket"}
	tests := []struct {
		name      string
		resources map[string]any
		want, err string
	}{
		{"one machine among other resources", map[string]any{"M": machine, "B": bucket}, `{"StartAt":"A"}`, ""},
		{"none", map[string]any{"B": bucket}, "", "holds 0 state machines"},
		{"two", map[string]any{"M": machine, "N": machine}, "", "holds 2 state machines"},
	}
	for _, tc := range tests {
		got, err := FromTemplate(map[string]any{"Resources": tc.resources})
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: err = %v, want %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: got %q, %v", tc.name, got, err)
		}
	}
}
