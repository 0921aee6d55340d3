package stacks_test

import (
	"encoding/json"
	"testing"

	"github.com/partialruns/velib-pipeline/internal/aslrun"
)

// BenchmarkTransitions reports the state transitions (what Step Functions
// bills) of a full run, the gold-only run and a run with every task skipped,
// by executing the synthesized definition locally. Run with make bench.
func BenchmarkTransitions(b *testing.B) {
	inputs := []struct{ name, input string }{
		{"full", `{}`},
		{"gold-only", `{"lambda_load_data": false, "velib_raw_to_silver": false}`},
		{"all-false", `{"lambda_load_data": false, "velib_raw_to_silver": false, "velib_silver_to_gold_avg_stats": false, "velib_silver_to_gold_avail_percent": false}`},
	}
	def := flatDefinition(b)
	for _, in := range inputs {
		b.Run(in.name, func(b *testing.B) {
			var r aslrun.Result
			for b.Loop() {
				results, err := aslrun.Run(def, startTime, []aslrun.Case{{Input: json.RawMessage(in.input), Mocks: succeeding()}})
				if err != nil {
					b.Fatal(err)
				}
				r = results[0]
			}
			if r.Status != "SUCCEEDED" {
				b.Fatalf("%s: %s %s", in.name, r.Error, r.Cause)
			}
			b.ReportMetric(float64(r.Transitions), "transitions")
		})
	}
}
