package stacks_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/partialruns/velib-pipeline/internal/aslrun"
)

// capacityCase is an input and the size each Glue run it starts must get.
type capacityCase struct {
	name             string
	input            string
	workers, minutes float64
}

// TestRangeCapacity runs dates and ranges through the synthesized state
// machine on both interpreters: each Glue job run is started with the
// workers and timeout its days call for, the execution output shows them,
// and the state machine's own timeout outlasts the longest run.
func TestRangeCapacity(t *testing.T) {
	configs := []struct {
		ctx            map[string]any
		machineMinutes float64
		cases          []capacityCase
	}{
		// One system, one wave of ingest a round: 2 rounds of at most
		// 4 minutes (the function's minute and 122 s of retries); then two
		// passes of silver and gold (the recovered systems get their own),
		// each job up to 60 minutes and possibly behind a concurrent run.
		{nil, 2*4 + 2*4*60 + 60, []capacityCase{
			{"an ingest run", `{}`, 2, 60},
			{"one date", `{"lambda_load_data": false, "process_date": "2026-11-02"}`, 2, 60},
			{"the day before a schedule's time", `{"lambda_load_data": false, "process_day_before": "2026-11-21T00:30:00Z"}`, 2, 60},
			{"31 days", `{"lambda_load_data": false, "process_date": "2026-10-01..2026-10-31"}`, 2, 60},
			{"32 days", `{"lambda_load_data": false, "process_date": "2026-10-01..2026-11-01"}`, 4, 60},
			{"366 days", `{"lambda_load_data": false, "process_date": "2025-11-21..2026-11-21"}`, 24, 60},
		}},
		// Workers capped at the deployed two.
		{configurations[1], 2*4 + 2*4*107 + 60, []capacityCase{
			{"366 days on capped workers", `{"lambda_load_data": false, "process_date": "2025-11-21..2026-11-21"}`, 2, 107},
			{"one date on capped workers", `{"lambda_load_data": false, "process_date": "2026-11-02"}`, 2, 60},
		}},
		// Five systems two at a time: three waves a round.
		{map[string]any{"ingestConcurrency": "2", "systems": `[{"id": "a", "url": "https://a.example.org/"}, {"id": "b", "url": "https://b.example.org/"}, {"id": "c", "url": "https://c.example.org/"}, {"id": "d", "url": "https://d.example.org/"}, {"id": "e", "url": "https://e.example.org/"}]`},
			2*3*4 + 2*4*60 + 60, nil},
	}
	for _, cfg := range configs {
		def := definition(t, synth(t, cfg.ctx))
		if got := def["TimeoutSeconds"]; got != cfg.machineMinutes*60 {
			t.Errorf("%v: the state machine's timeout is %v s, want %v", cfg.ctx, got, cfg.machineMinutes*60)
		}
		b, err := json.Marshal(def)
		if err != nil {
			t.Fatal(err)
		}
		cases := make([]aslrun.Case, len(cfg.cases))
		for i, tc := range cfg.cases {
			cases[i] = aslrun.Case{Input: json.RawMessage(tc.input), Mocks: succeeding()}
		}
		for _, in := range aslrun.Interpreters {
			results, err := in.Run(b, startTime, cases)
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range results {
				checkCapacity(t, in.Name, cfg.cases[i], r)
			}
		}
	}
}

// checkCapacity checks that every Glue run of r started with tc's size and
// that the output shows it.
func checkCapacity(t *testing.T, interpreter string, tc capacityCase, r aslrun.Result) {
	t.Helper()
	if r.Status != "SUCCEEDED" {
		t.Fatalf("%s: %s: %s %s: %s", interpreter, tc.name, r.Status, r.Error, r.Cause)
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
				interpreter, tc.name, c.State, params["NumberOfWorkers"], params["WorkerType"], params["Timeout"], tc.workers, tc.minutes)
		}
	}
	if glue != 3 {
		t.Errorf("%s: %s: %d Glue job runs, want 3", interpreter, tc.name, glue)
	}
	shown := r.Output.(map[string]any)["glue_capacity"]
	if want := map[string]any{"workers": tc.workers, "timeout_minutes": tc.minutes}; fmt.Sprint(shown) != fmt.Sprint(want) {
		t.Errorf("%s: %s: the output shows glue_capacity %v, want %v", interpreter, tc.name, shown, want)
	}
}
