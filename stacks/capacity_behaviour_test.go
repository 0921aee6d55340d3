package stacks_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/partialruns/velib-pipeline/internal/aslrun"
)

// TestRangeCapacity runs dates and ranges through the synthesized state
// machine on both interpreters: each Glue job run is started with the
// workers and timeout its days call for, the execution output shows them,
// and the state machine's own timeout outlasts the longest run.
func TestRangeCapacity(t *testing.T) {
	capped := configurations[1]
	tests := []struct {
		name             string
		ctx              map[string]any
		input            string
		workers, minutes float64
	}{
		{"an ingest run", nil, `{}`, 2, 60},
		{"one date", nil, `{"lambda_load_data": false, "process_date": "2026-11-02"}`, 2, 60},
		{"the day before a schedule's time", nil, `{"lambda_load_data": false, "process_day_before": "2026-11-21T00:30:00Z"}`, 2, 60},
		{"31 days", nil, `{"lambda_load_data": false, "process_date": "2026-10-01..2026-10-31"}`, 2, 60},
		{"32 days", nil, `{"lambda_load_data": false, "process_date": "2026-10-01..2026-11-01"}`, 4, 60},
		{"366 days", nil, `{"lambda_load_data": false, "process_date": "2025-11-21..2026-11-21"}`, 24, 60},
		{"366 days on capped workers", capped, `{"lambda_load_data": false, "process_date": "2025-11-21..2026-11-21"}`, 2, 107},
		{"one date on capped workers", capped, `{"lambda_load_data": false, "process_date": "2026-11-02"}`, 2, 60},
	}
	machineMinutes := map[string]float64{fmt.Sprint(map[string]any(nil)): 4*60 + 60, fmt.Sprint(capped): 4*107 + 60}
	for _, ctx := range []map[string]any{nil, capped} {
		tpl := synth(t, ctx)
		def := definition(t, tpl)
		if got := def["TimeoutSeconds"]; got != machineMinutes[fmt.Sprint(ctx)]*60 {
			t.Errorf("%v: the state machine's timeout is %v s, want %v", ctx, got, machineMinutes[fmt.Sprint(ctx)]*60)
		}
		b, err := json.Marshal(def)
		if err != nil {
			t.Fatal(err)
		}
		var cases []aslrun.Case
		var want []int
		for i, tc := range tests {
			if fmt.Sprint(tc.ctx) == fmt.Sprint(ctx) {
				cases = append(cases, aslrun.Case{Input: json.RawMessage(tc.input), Mocks: succeeding()})
				want = append(want, i)
			}
		}
		for _, in := range aslrun.Interpreters {
			results, err := in.Run(b, startTime, cases)
			if err != nil {
				t.Fatal(err)
			}
			for j, r := range results {
				tc := tests[want[j]]
				if r.Status != "SUCCEEDED" {
					t.Fatalf("%s: %s: %s %s: %s", in.Name, tc.name, r.Status, r.Error, r.Cause)
				}
				glue := 0
				for _, c := range r.Calls {
					if c.State == "Load data" {
						continue
					}
					glue++
					params := c.Input.(map[string]any)
					if params["NumberOfWorkers"] != tc.workers || params["Timeout"] != tc.minutes || params["WorkerType"] != "G.1X" {
						t.Errorf("%s: %s: %s started with %v %v workers, timeout %v; want %v G.1X, %v minutes",
							in.Name, tc.name, c.State, params["NumberOfWorkers"], params["WorkerType"], params["Timeout"], tc.workers, tc.minutes)
					}
				}
				if glue != 3 {
					t.Errorf("%s: %s: %d Glue job runs, want 3", in.Name, tc.name, glue)
				}
				shown := r.Output.(map[string]any)["glue_capacity"]
				if want := map[string]any{"workers": tc.workers, "timeout_minutes": tc.minutes}; fmt.Sprint(shown) != fmt.Sprint(want) {
					t.Errorf("%s: %s: the output shows glue_capacity %v, want %v", in.Name, tc.name, shown, want)
				}
			}
		}
	}
}
