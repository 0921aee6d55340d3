package stacks_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestEveryLogGroupIsEncryptedAndExpires: the stack owns every log group
// its functions, jobs and state machine write to, each with a retention and
// the stack's key.
func TestEveryLogGroupIsEncryptedAndExpires(t *testing.T) {
	groups := synth(t, nil).Resources("AWS::Logs::LogGroup")
	assert.Len(t, groups, 18, "ingest, state machine, and output and error, unencrypted and encrypted, for each of four jobs")
	for id, g := range groups {
		p := g["Properties"].(map[string]any)
		assert.Equal(t, float64(30), p["RetentionInDays"], id)
		assert.Contains(t, fmt.Sprint(p["KmsKeyId"]), "Key961B73FD", id)
	}
}
