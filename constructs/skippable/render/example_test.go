package render_test

import (
	"fmt"

	"github.com/partialruns/velib-pipeline/constructs/skippable/contract"
	"github.com/partialruns/velib-pipeline/constructs/skippable/render"
)

// A tool that reads a synthesized definition finds the guards by their
// shape, whatever they are called.
func ExampleRecognise() {
	state := map[string]any{
		"Type":    "Choice",
		"Default": "Publish",
		"Choices": []any{
			map[string]any{"Variable": contract.FlagPath("load"), "IsPresent": false, "Next": "Load data"},
			map[string]any{"Variable": contract.FlagPath("load"), "BooleanEquals": true, "Next": "Load data"},
		},
	}
	g, ok := render.Recognise(state)
	fmt.Println(ok, g.Flag, "guards", g.Task, "and skips to", g.Skip)
	// Output:
	// true load guards Load data and skips to Publish
}
