package cfntext_test

import (
	"encoding/json"
	"testing"

	"github.com/partialruns/velib-pipeline/internal/cfntext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestString(t *testing.T) {
	tests := []struct{ value, want string }{
		{`"plain"`, "plain"},
		{`{"Ref": "AWS::Region"}`, "${AWS::Region}"},
		{`{"Ref": "DatabaseB269D8BB"}`, "<Database>"},
		{`{"Fn::GetAtt": ["Data666C94C7", "Arn"]}`, "<Data>"},
		{`{"Fn::GetAtt": ["Queue4A7E3555", "QueueName"]}`, "<Queue.QueueName>"},
		{`{"Fn::Join": ["", [{"Fn::GetAtt": ["Data666C94C7", "Arn"]}, "/raw/*"]]}`, "<Data>/raw/*"},
		{`{"Fn::Join": [":", ["arn", {"Ref": "AWS::Partition"}, "states"]]}`, "arn:${AWS::Partition}:states"},
		{`{"Fn::Sub": "cdk-${AWS::AccountId}"}`, "cdk-${AWS::AccountId}"},
		{`{"Fn::GetAZs": ""}`, "map[Fn::GetAZs:]"},
		{`3`, "3"},
	}
	for _, tc := range tests {
		var v any
		require.NoError(t, json.Unmarshal([]byte(tc.value), &v))
		assert.Equal(t, tc.want, cfntext.String(v), tc.value)
	}
}

func TestName(t *testing.T) {
	for id, want := range map[string]string{
		"StateMachineRoleB840431D": "StateMachineRole",
		"Data666C94C7":             "Data",
		"Plain":                    "Plain",
		"0123ABCD":                 "0123ABCD",
		"Lowercase1234abcd":        "Lowercase1234abcd",
	} {
		assert.Equal(t, want, cfntext.Name(id), id)
	}
}
