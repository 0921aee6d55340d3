package stacks_test

import (
	"testing"

	"github.com/partialruns/velib-pipeline/internal/asl"
	"github.com/partialruns/velib-pipeline/internal/snapshot"
)

// TestDiagram keeps docs/architecture.md's workflow diagram drawn from the synthesized
// definition, so it cannot drift from what deploys.
func TestDiagram(t *testing.T) {
	chart, err := asl.Mermaid(flatDefinition(t))
	if err != nil {
		t.Fatal(err)
	}
	snapshot.CheckSection(t, "../docs/architecture.md", "workflow diagram", "```mermaid\n"+chart+"```\n")
}
