package roletable_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/partialruns/velib-pipeline/internal/roletable"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// arn is the JSON of a Fn::Join building an ARN in the stack's own
// partition, region and account, ending in rest.
func arn(service string, rest ...string) string {
	parts := []string{`"arn:"`, `{"Ref":"AWS::Partition"}`, `":` + service + `:"`, `{"Ref":"AWS::Region"}`, `":"`, `{"Ref":"AWS::AccountId"}`}
	parts = append(parts, rest...)
	return `{"Fn::Join":["",[` + strings.Join(parts, ",") + `]]}`
}

func TestMarkdown(t *testing.T) {
	tests := []struct {
		name      string
		resources string
		want      []string // rows, after the header
	}{
		{
			name: "a role and its policy, with a condition on its trust",
			resources: `{
				"RoleAB12CD34": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": [
					{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "states.amazonaws.com"},
					 "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
					               "ArnLike": {"aws:SourceArn": [` + arn("states", `":stateMachine:m"`) + `]}}}]}}},
				"RolePolicy0000FFFF": {"Type": "AWS::IAM::Policy", "Properties": {"Roles": [{"Ref": "RoleAB12CD34"}], "PolicyDocument": {"Statement": [
					{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": [
						{"Fn::Join": ["", [{"Fn::GetAtt": ["Data666C94C7", "Arn"]}, "/raw"]]},
						{"Fn::Join": ["", [{"Fn::GetAtt": ["Data666C94C7", "Arn"]}, "/tmp/*"]]},
						{"Fn::Join": ["", [{"Fn::GetAtt": ["Data666C94C7", "Arn"]}, "/raw/*"]]},
						{"Fn::Join": ["", [{"Fn::GetAtt": ["Data666C94C7", "Arn"]}, "/raw_$folder$"]]}]},
					{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": {"Fn::GetAtt": ["Data666C94C7", "Arn"]},
					 "Condition": {"StringLike": {"s3:prefix": ["raw/*", "raw", "raw_$folder$", "tmp/*", "tmp"]}}}]}}}
			}`,
			want: []string{
				"| `Role` | `states.amazonaws.com`, if `aws:SourceArn` ArnLike `states:stateMachine:m` and `aws:SourceAccount` StringEquals `${AWS::AccountId}` | " +
					"`s3:GetObject`, `s3:PutObject` on `<Data>/raw…`, `<Data>/tmp/*`<br>`s3:ListBucket` on `<Data>`, if `s3:prefix` StringLike `raw…` or `tmp/*` or `tmp` |",
			},
		},
		{
			name: "inline and managed policies, a deny, global ARNs and asset hashes; rows sorted by name",
			resources: `{
				"Zed": {"Type": "AWS::IAM::Role", "Properties": {
					"AssumeRolePolicyDocument": {"Statement": {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": ["glue.amazonaws.com"]}}},
					"ManagedPolicyArns": [{"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]]}],
					"Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [
						{"Effect": "Deny", "Action": "s3:*", "Resource": "*"},
						{"Effect": "Allow", "Action": "s3:GetObject", "Resource": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::", {"Fn::Sub": "cdk-assets-${AWS::AccountId}"}, "/` + strings.Repeat("ab", 32) + `.zip"]]}},
						{"Effect": "Allow", "Action": "glue:GetTable", "Resource": ` + arn("glue", `":table/"`, `{"Ref": "DatabaseB269D8BB"}`, `"/t"`) + `}]}}]}},
				"Alpha": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": [
					{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}]}}}
			}`,
			want: []string{
				"| `Alpha` | `lambda.amazonaws.com` |  |",
				"| `Zed` | `glue.amazonaws.com` | AWS managed policy `service-role/AWSLambdaBasicExecutionRole`<br>" +
					"**deny** `s3:*` on `*`<br>`s3:GetObject` on `s3:cdk-assets-${AWS::AccountId}/<asset>.zip`<br>`glue:GetTable` on `glue:table/<Database>/t` |",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var resources map[string]any
			require.NoError(t, json.Unmarshal([]byte(tc.resources), &resources))
			got, err := roletable.Markdown(map[string]any{"Resources": resources})
			require.NoError(t, err)
			want := "| role | assumed by | may |\n|---|---|---|\n" + strings.Join(tc.want, "\n") + "\n"
			assert.Equal(t, want, got)
		})
	}
}

// TestWhatItCannotRender: a statement the table would misstate is an
// error, naming the resource.
func TestWhatItCannotRender(t *testing.T) {
	tests := []struct{ name, resources, want string }{
		{"NotAction", `{"P": {"Type": "AWS::IAM::Policy", "Properties": {"Roles": [{"Ref": "R"}], "PolicyDocument": {"Statement": [{"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}]}}}}`, "P: NotAction is not rendered"},
		{"a role from elsewhere", `{"P": {"Type": "AWS::IAM::Policy", "Properties": {"Roles": ["imported"], "PolicyDocument": {"Statement": []}}}}`, "P: attached to a role outside the template"},
		{"a deny in a trust policy", `{"R": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": [{"Effect": "Deny", "Principal": "*"}]}}}}`, "R: trust statement with effect Deny"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var resources map[string]any
			require.NoError(t, json.Unmarshal([]byte(tc.resources), &resources))
			_, err := roletable.Markdown(map[string]any{"Resources": resources})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}
