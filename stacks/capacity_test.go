package stacks

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/partialruns/velib-pipeline/internal/jsonata"
	"github.com/partialruns/velib-pipeline/internal/layout"
	"github.com/partialruns/velib-pipeline/internal/snapshot"
)

// TestCapacityRule: the figures the rule gives, written out.
func TestCapacityRule(t *testing.T) {
	deployed := capacity{workers: 2, maxWorkers: 24, timeoutMinutes: 60}
	capped := capacity{workers: 2, maxWorkers: 2, timeoutMinutes: 60}
	short := capacity{workers: 2, maxWorkers: 24, timeoutMinutes: 10}
	tests := []struct {
		name            string
		rule            capacity
		days            int
		workers, minute int
	}{
		{"one day runs as deployed", deployed, 1, 2, 60},
		{"a month on the deployed workers", deployed, 31, 2, 60},
		{"a month and a day: twice the workers", deployed, 32, 4, 60},
		{"a quarter", deployed, 92, 6, 60},
		{"a year: the cap", deployed, 366, 24, 60},
		{"a year on capped workers: a longer timeout", capped, 366, 2, 107},
		{"a month on capped workers", capped, 31, 2, 60},
		{"a short timeout grows with a month's share", short, 31, 2, 23},
		{"a short timeout, one day", short, 1, 2, 16},
	}
	for _, tc := range tests {
		w, m := tc.rule.forDays(tc.days)
		if w != tc.workers || m != tc.minute {
			t.Errorf("%s: %d days get %d workers and %d minutes, want %d and %d", tc.name, tc.days, w, m, tc.workers, tc.minute)
		}
	}
	for _, tc := range []struct {
		rule capacity
		want int
	}{{deployed, 60}, {capped, 107}, {short, 23}} {
		if got := tc.rule.longestTimeout(); got != tc.want {
			t.Errorf("%+v: longest timeout %d, want %d", tc.rule, got, tc.want)
		}
	}
}

// TestCapacityRenderings holds the rule's JSONata rendering, which sizes
// the runs in Step Functions, to its Go rendering, which sets the state
// machine's timeout, for every accepted number of days, on every engine.
func TestCapacityRenderings(t *testing.T) {
	end := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	var cases []jsonata.Case
	for days := 1; days <= layout.MaxRangeDays; days++ {
		first := end.AddDate(0, 0, 1-days).Format(time.DateOnly)
		b, _ := json.Marshal(map[string]string{layout.DateKey: first + ".." + end.Format(time.DateOnly)})
		cases = append(cases, jsonata.Case{Input: b})
	}
	// No process_date: one day.
	cases = append(cases, jsonata.Case{Input: json.RawMessage(`{}`)})
	// Arrivals of days 1, 31, 32 and 366 days apart, by their keys, both
	// forms, in no order.
	arrived := map[int]int{}
	for _, days := range []int{1, 31, 32, layout.MaxRangeDays} {
		first := end.AddDate(0, 0, 1-days).Format(time.DateOnly)
		b, _ := json.Marshal(map[string][]string{layout.ArrivalsKey: {
			"arrivals/velib/dt%3D" + end.Format(time.DateOnly) + "/b.json", "arrivals/velib/dt=" + first + "/", "arrivals/velib/dt=" + first + "/a b.json",
		}})
		arrived[len(cases)] = days
		cases = append(cases, jsonata.Case{Input: b})
	}
	arrivals := arrivalRule{prefix: layout.DefaultArrivalsPrefix, systems: []string{layout.DefaultSystem}}
	for _, rule := range []capacity{capacityOf(DefaultConfig), {2, 2, 60}, {2, 24, 10}, {5, 7, 30}} {
		expr := []jsonata.Expression{{Where: "capacity", Source: "($in := $states.input; " + rule.derived(arrivals).Expr + ")"}}
		for _, engine := range jsonata.Engines {
			results, err := jsonata.Evaluate(engine, expr, cases)
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range results {
				days := i + 1
				if i == layout.MaxRangeDays {
					days = 1
				}
				if n, ok := arrived[i]; ok {
					days = n
				}
				w, m := rule.forDays(days)
				want := fmt.Sprintf(`{"timeout_minutes":%d,"workers":%d}`, m, w)
				got, _ := json.Marshal(r[0].Value)
				if string(got) != want {
					t.Errorf("%s: %+v, %d days: %s, want %s", engine, rule, days, got, want)
				}
			}
		}
	}
}

// TestCapacityTable keeps docs/pipeline.md's table of run sizes for the
// default configuration current.
func TestCapacityTable(t *testing.T) {
	rule := capacityOf(DefaultConfig)
	var b strings.Builder
	b.WriteString("| days | workers | timeout (minutes) | DPU-hours at most |\n|---|---|---|---|\n")
	for _, days := range []int{1, 7, 31, 32, 92, 183, 366} {
		w, m := rule.forDays(days)
		fmt.Fprintf(&b, "| %d | %d | %d | %.0f |\n", days, w, m, float64(w*m)/60)
	}
	fmt.Fprintf(&b, "\nThe state machine's timeout: %d minutes (both ingest rounds; then, for the systems the first round loaded and again for those the second recovered, silver and a gold job at their longest, each possibly waiting behind a concurrent run; plus an hour).\n", machineMinutes(DefaultConfig))
	snapshot.CheckSection(t, "../docs/pipeline.md", "capacity", b.String())
}
