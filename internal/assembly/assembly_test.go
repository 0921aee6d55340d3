package assembly

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestErrors(t *testing.T) {
	tests := []struct {
		name, metadata string
		want           []Message
		wantErr        bool
	}{
		{"errors only, sorted", `{
			"/S/Topic": [{"type": "aws:cdk:error", "data": "b"}],
			"/S/Fn": [{"type": "aws:cdk:error", "data": "no binary"}, {"type": "aws:cdk:warning", "data": "a warning"}, {"type": "aws:cdk:logicalId", "data": "Fn"}]}`,
			[]Message{{"/S/Fn", "no binary"}, {"/S/Topic", "b"}}, false},
		{"none", `{"/S/Fn": [{"type": "aws:cdk:info", "data": "x"}]}`, nil, false},
		{"no metadata file", "", nil, false},
		{"not JSON", "{", nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.metadata != "" {
				os.WriteFile(filepath.Join(dir, "S.metadata.json"), []byte(tc.metadata), 0o644)
			}
			got, err := Errors(dir, "S")
			if (err != nil) != tc.wantErr || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Errors = %v, %v; want %v (error: %v)", got, err, tc.want, tc.wantErr)
			}
		})
	}
}
