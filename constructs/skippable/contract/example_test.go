package contract_test

import (
	"fmt"
	"time"

	"github.com/partialruns/velib-pipeline/constructs/skippable/contract"
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
	g, ok := contract.Recognise(state)
	fmt.Println(ok, g.Flag, "guards", g.Task, "and skips to", g.Skip)
	// Output:
	// true load guards Load data and skips to Publish
}

// The date rule as partialrun applies it before starting an execution; the
// validation state applies the same rule in JSONata.
func ExampleCheckDate() {
	today := time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)
	for _, d := range []string{"2026-11-20", "2026-02-30", "2026-11-22"} {
		fmt.Println(d, contract.CheckDate(d, today))
	}
	// Output:
	// 2026-11-20 <nil>
	// 2026-02-30 "2026-02-30" is not a YYYY-MM-DD calendar date
	// 2026-11-22 "2026-11-22" is after today, 2026-11-21 (UTC)
}
