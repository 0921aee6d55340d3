package stacks_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/partialruns/velib-pipeline/constructs/schedule"
	"github.com/partialruns/velib-pipeline/internal/aslrun"
	"github.com/partialruns/velib-pipeline/stacks"
)

// BenchmarkTransitions reports the state transitions (what Step Functions
// bills) of a full run, the gold-only run, a run with every task skipped
// and a run of each default schedule,
// by executing the synthesized definition locally. Run with make bench.
func BenchmarkTransitions(b *testing.B) {
	inputs := []struct{ name, input string }{
		{"full", `{}`},
		{"gold-only", `{"lambda_load_data": false, "velib_raw_to_silver": false}`},
		{"all-false", `{"lambda_load_data": false, "velib_raw_to_silver": false, "velib_silver_to_gold_avg_stats": false, "velib_silver_to_gold_avail_percent": false}`},
	}
	// Each default schedule's input, as Scheduler sends it.
	for _, s := range stacks.DefaultConfig.Schedules {
		input, err := schedule.StandIn(s.Input, time.Date(2026, 11, 21, 0, 30, 0, 0, time.UTC))
		if err != nil {
			b.Fatal(err)
		}
		raw, _ := json.Marshal(input)
		inputs = append(inputs, struct{ name, input string }{"schedule-" + s.Name, string(raw)})
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
