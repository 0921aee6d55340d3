package stacks_test

import (
	"testing"

	"github.com/partialruns/velib-pipeline/internal/snapshot"
)

// TestSnapshot keeps the whole synthesized template under review: any
// change to it shows up as a diff of testdata/, refreshed with
// `UPDATE_SNAPSHOTS=1 make test`.
func TestSnapshot(t *testing.T) {
	got, err := snapshot.JSON(synth(t, nil).JSON)
	if err != nil {
		t.Fatal(err)
	}
	snapshot.Check(t, "testdata/AWSStateFunctionPartialRuns.template.json", got)
}
