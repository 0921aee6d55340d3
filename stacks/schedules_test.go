package stacks_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/constructs/schedule"
	"github.com/partialruns/velib-pipeline/internal/aslrun"
	"github.com/partialruns/velib-pipeline/internal/cdktest"
	"github.com/partialruns/velib-pipeline/internal/layout"
	"github.com/partialruns/velib-pipeline/stacks"
)

// TestScheduledRuns starts the synthesized state machine with each default
// schedule's input as Scheduler sends it, on both interpreters: the ingest
// schedule runs the ingest alone; the daily one refines the day before the
// time it fired, also when a retry starts it hours later, past midnight.
func TestScheduledRuns(t *testing.T) {
	specs := map[string]schedule.Spec{}
	for _, s := range stacks.DefaultConfig.Schedules {
		specs[s.Name] = s
	}
	tests := []struct {
		name, schedule string
		fired, started string
		ran            []string
		date           string // the --process_date the Glue jobs get
	}{
		{"ingest, on time", "ingest", "2026-11-21T10:15:00Z", "2026-11-21T10:15:01.000Z", []string{"Load data"}, ""},
		{"daily, on time", "daily", "2026-11-21T00:30:00Z", "2026-11-21T00:30:01.000Z",
			[]string{"Raw to silver", "Gold avg stats", "Gold avail percent"}, "2026-11-20"},
		{"daily, retried the next day", "daily", "2026-11-21T00:30:00Z", "2026-11-22T00:10:00.000Z",
			[]string{"Raw to silver", "Gold avg stats", "Gold avail percent"}, "2026-11-20"},
		{"daily, on 1 March", "daily", "2028-03-01T00:30:00Z", "2028-03-01T00:30:02.000Z",
			[]string{"Raw to silver", "Gold avg stats", "Gold avail percent"}, "2028-02-29"},
	}
	def := flatDefinition(t)
	for _, in := range aslrun.Interpreters {
		t.Run(in.Name, func(t *testing.T) {
			for _, tc := range tests {
				fired, err := time.Parse(time.RFC3339, tc.fired)
				if err != nil {
					t.Fatal(err)
				}
				input, err := schedule.StandIn(specs[tc.schedule].Input, fired)
				if err != nil {
					t.Fatal(err)
				}
				raw, _ := json.Marshal(input)
				results, err := in.Run(def, tc.started, []aslrun.Case{{Input: raw, Mocks: succeeding()}})
				if err != nil {
					t.Fatal(err)
				}
				r := results[0]
				if r.Status != "SUCCEEDED" {
					t.Fatalf("%s: %s: %s: %s", tc.name, r.Status, r.Error, r.Cause)
				}
				if got := ran(r); !reflect.DeepEqual(got, slices.Sorted(slices.Values(tc.ran))) {
					t.Errorf("%s: ran %v, want %v", tc.name, got, slices.Sorted(slices.Values(tc.ran)))
				}
				for _, c := range r.Calls {
					if c.State == "Load data" {
						continue
					}
					if got := c.Input.(map[string]any)["Arguments"].(map[string]any)["--process_date"]; got != tc.date {
						t.Errorf("%s: %s got --process_date %v, want %s", tc.name, c.State, got, tc.date)
					}
				}
			}
		})
	}
}

// TestStoredInputsAreChecked: a schedule whose input the state machine
// would refuse stops the synth, naming the schedule and the problem as the
// validation would.
func TestStoredInputsAreChecked(t *testing.T) {
	tests := []struct {
		name  string
		input map[string]any
		want  string
	}{
		{"misspelt flag", map[string]any{"lamda_load_data": false}, `schedule "nightly": its input is invalid: unknown key(s) "lamda_load_data"`},
		{"a date with ingest on", map[string]any{"process_date": "2026-11-20"}, `schedule "nightly": its input is invalid: process_date is given but lambda_load_data is not false`},
		{"a day before that is not a time", map[string]any{"lambda_load_data": false, "process_day_before": "yesterday"},
			`schedule "nightly": its input is invalid: process_day_before must be a UTC time`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			app := cdktest.NewApp(map[string]any{"schedules": map[string]any{
				"nightly": map[string]any{"expression": "rate(1 day)", "input": tc.input},
			}})
			cfg, err := stacks.ConfigFromContext(func(k string) any { return app.Node().TryGetContext(jsii.String(k)) })
			if err != nil {
				t.Fatal(err)
			}
			var synthErr error
			if msg := cdktest.Catch(func() {
				_, synthErr = cdktest.SynthE(stacks.NewPipelineStack(app, layout.StackID, &stacks.PipelineStackProps{Config: cfg}))
			}); msg != "" {
				t.Fatal(msg)
			}
			if synthErr == nil || !strings.Contains(synthErr.Error(), tc.want) {
				t.Errorf("synth error %v, want one saying %q", synthErr, tc.want)
			}
		})
	}
}
