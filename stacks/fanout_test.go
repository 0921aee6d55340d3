package stacks_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/partialruns/velib-pipeline/internal/aslrun"
	"github.com/partialruns/velib-pipeline/internal/flaginputs"
)

// twoSystems deploys Vélib' and a second system.
var twoSystems = map[string]any{"systems": `[{"id": "velib", "url": "https://velib.example.org/"}, {"id": "citybikes", "url": "https://citybikes.example.org/gbfs.json"}]`}

// snapshotOf is the ingest function's answer for a system's snapshot of date.
func snapshotOf(system, date string) aslrun.Mock {
	return aslrun.Mock{Output: map[string]any{"StatusCode": 200, "Payload": map[string]any{
		"system": system, "objects_written": 1, "date": date, "key": "raw/" + system + "/dt=" + date + "/x.json.gz"}}}
}

// feedDown is the ingest function's error for a feed that does not answer.
var feedDown = aslrun.Mock{Failures: []aslrun.Failure{{Error: "Lambda.Unknown", Cause: "station_status feed: HTTP 503"}}}

// bySystem answers a Load task per system.
func bySystem(mocks map[string]aslrun.Mock) aslrun.Mock {
	return aslrun.Mock{ByInput: &aslrun.ByInput{Field: "Payload.system", Mocks: mocks}}
}

// glueRun is one Glue job run a case started.
type glueRun struct{ state, date, systems string }

// TestFanOut runs the two-system machine on both interpreters: every
// system, a subset, an unknown one, one system's feed down (the other is
// refined, then the execution fails at the second ingest of the failed
// one alone), its recovery (only it is ingested again and refined), and
// snapshots that straddle midnight.
func TestFanOut(t *testing.T) {
	glue := succeeding()
	withLoads := func(first, again map[string]aslrun.Mock) map[string]aslrun.Mock {
		m := map[string]aslrun.Mock{}
		for k, v := range glue {
			m[k] = v
		}
		m["Load data"] = bySystem(first)
		if again != nil {
			m["Load data again"] = bySystem(again)
		}
		return m
	}
	today := flaginputs.Today
	both := map[string]aslrun.Mock{"velib": snapshotOf("velib", today), "citybikes": snapshotOf("citybikes", today)}
	cityDown := map[string]aslrun.Mock{"velib": snapshotOf("velib", today), "citybikes": feedDown}
	refined := func(date, systems string) []glueRun {
		return []glueRun{{"Raw to silver", date, systems}, {"Gold avg stats", date, systems}, {"Gold avail percent", date, systems}}
	}
	tests := []struct {
		name, input string
		mocks       map[string]aslrun.Mock
		// loads lists the systems ingested, by task, in the order the
		// rounds ran (within a round, in any order).
		loads       map[string][]string
		refined     []glueRun
		status      string
		failedState string
		cause       string
	}{
		{name: "every system", input: `{}`, mocks: withLoads(both, nil),
			loads: map[string][]string{"Load data": {"citybikes", "velib"}}, refined: refined(today, `["velib","citybikes"]`), status: "SUCCEEDED"},
		{name: "a subset", input: `{"systems": ["citybikes"]}`, mocks: withLoads(both, nil),
			loads: map[string][]string{"Load data": {"citybikes"}}, refined: refined(today, `["citybikes"]`), status: "SUCCEEDED"},
		{name: "an unknown system", input: `{"systems": ["velib", "oslo"]}`, mocks: withLoads(both, nil),
			status: "FAILED", failedState: "Invalid input", cause: `systems lists "oslo", not one of velib, citybikes`},
		{name: "no ingest: every system's date", input: `{"lambda_load_data": false, "process_date": "2026-11-02"}`, mocks: withLoads(both, nil),
			refined: refined("2026-11-02", `["velib","citybikes"]`), status: "SUCCEEDED"},
		{name: "one feed down twice: the other is refined, the execution fails at the second ingest", input: `{}`,
			mocks:   withLoads(cityDown, map[string]aslrun.Mock{"citybikes": feedDown}),
			loads:   map[string][]string{"Load data": {"citybikes", "velib"}, "Load data again": {"citybikes"}},
			refined: refined(today, `["velib"]`), status: "FAILED", failedState: "Load data again", cause: "HTTP 503"},
		{name: "one feed down once: only it is ingested again and refined", input: `{}`,
			mocks:   withLoads(cityDown, map[string]aslrun.Mock{"citybikes": snapshotOf("citybikes", today)}),
			loads:   map[string][]string{"Load data": {"citybikes", "velib"}, "Load data again": {"citybikes"}},
			refined: append(refined(today, `["velib"]`), refined(today, `["citybikes"]`)...), status: "SUCCEEDED"},
		{name: "every feed down once: nothing to refine until they are loaded again", input: `{}`,
			mocks:   withLoads(map[string]aslrun.Mock{"velib": feedDown, "citybikes": feedDown}, both),
			loads:   map[string][]string{"Load data": {"citybikes", "velib"}, "Load data again": {"citybikes", "velib"}},
			refined: refined(today, `["velib","citybikes"]`), status: "SUCCEEDED"},
		{name: "snapshots on both sides of midnight: the range of their dates", input: `{}`,
			mocks: withLoads(map[string]aslrun.Mock{"velib": snapshotOf("velib", "2026-11-22"), "citybikes": snapshotOf("citybikes", today)}, nil),
			loads: map[string][]string{"Load data": {"citybikes", "velib"}}, refined: refined(today+"..2026-11-22", `["velib","citybikes"]`), status: "SUCCEEDED"},
	}
	cases := make([]aslrun.Case, len(tests))
	for i, tc := range tests {
		cases[i] = aslrun.Case{Input: json.RawMessage(tc.input), Mocks: tc.mocks}
	}
	def, err := json.Marshal(definition(t, synth(t, twoSystems)))
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range aslrun.Interpreters {
		t.Run(in.Name, func(t *testing.T) {
			results, err := in.Run(def, startTime, cases)
			if err != nil {
				t.Fatal(err)
			}
			for i, tc := range tests {
				r := results[i]
				if r.Status != tc.status || (tc.failedState != "" && r.FailedState != tc.failedState) || !strings.Contains(r.Cause, tc.cause) {
					t.Errorf("%s: %s at %q, %s: %s; want %s at %q saying %q", tc.name, r.Status, r.FailedState, r.Error, r.Cause, tc.status, tc.failedState, tc.cause)
					continue
				}
				loads := map[string][]string{}
				var runs []glueRun
				for _, c := range r.Calls {
					input := c.Input.(map[string]any)
					if payload, ok := input["Payload"].(map[string]any); ok {
						loads[c.State] = append(loads[c.State], payload["system"].(string))
						continue
					}
					args := input["Arguments"].(map[string]any)
					runs = append(runs, glueRun{c.State, args["--process_date"].(string), args["--systems"].(string)})
				}
				for task := range loads {
					slices.Sort(loads[task])
				}
				if tc.loads == nil {
					tc.loads = map[string][]string{}
				}
				if !reflect.DeepEqual(loads, tc.loads) {
					t.Errorf("%s: ingested %v, want %v", tc.name, loads, tc.loads)
				}
				if !sameRuns(runs, tc.refined) {
					t.Errorf("%s: Glue runs %v, want %v", tc.name, runs, tc.refined)
				}
			}
		})
	}
}

// sameRuns compares Glue runs in order, except that the two gold jobs of
// one refinement run in parallel, in any order.
func sameRuns(got, want []glueRun) bool {
	if len(got) != len(want) {
		return false
	}
	for i := 0; i < len(got); i += 3 {
		g, w := append([]glueRun{}, got[i:i+3]...), want[i:i+3]
		if g[1] != w[1] {
			g[1], g[2] = g[2], g[1]
		}
		if !reflect.DeepEqual(g, w) {
			return false
		}
	}
	return true
}
