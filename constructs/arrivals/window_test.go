package arrivals_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/constructs/arrivals"
	"github.com/partialruns/velib-pipeline/constructs/skippable/render"
	"github.com/partialruns/velib-pipeline/internal/cdktest"
	"github.com/partialruns/velib-pipeline/internal/windowsim"
)

// TestWindowHandsOverTheRest: a window that has made MaxTakes receives
// starts its run and a new window for what is left, which waits for that
// run; so a burst far larger than one execution's history allows is taken
// in full, run after run, none overlapping.
func TestWindowHandsOverTheRest(t *testing.T) {
	stack, p := props(func(_ awscdk.Stack, p *arrivals.Props) { p.MaxTakes = 2 })
	arrivals.New(stack, jsii.String("A"), p)
	machines, err := render.AllFromTemplate(cdktest.Synth(t, stack).JSON)
	if err != nil {
		t.Fatal(err)
	}
	var def string
	for id, d := range machines {
		if strings.HasPrefix(id, "AWindow") {
			def = d
		}
	}
	var arrived []windowsim.Arrival
	for i := 0; i < 100; i++ {
		arrived = append(arrived, windowsim.Arrival{At: time.Duration(i) * time.Second, Key: fmt.Sprintf("arrivals/velib/dt=2026-11-%02d/f%d.json", 1+i%30, i)})
	}
	r, err := windowsim.Simulate(windowsim.Scenario{Definition: []byte(def), Target: "target", Arrivals: arrived, RunTime: 20 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	// 100 keys, at most 20 a window: at least 5 runs.
	if len(r.Runs) < 5 || len(r.Left) > 0 || r.Ends[windowsim.TimedOut] > 0 {
		t.Fatalf("%d runs, %d keys left, ends %v", len(r.Runs), len(r.Left), r.Ends)
	}
	seen := map[string]bool{}
	for i, run := range r.Runs {
		if i > 0 && run.Start < r.Runs[i-1].End {
			t.Errorf("run %d started while run %d ran", i, i-1)
		}
		for _, f := range run.Input["arrivals"].([]any) {
			seen[f.(string)] = true
		}
	}
	for _, a := range arrived {
		if folder := a.Key[:strings.LastIndex(a.Key, "/")+1]; !seen[folder] {
			t.Errorf("%s is in no run", folder)
		}
	}
	if r.Ends[arrivals.StateStarted] != len(r.Runs) {
		b, _ := json.Marshal(r.Ends)
		t.Errorf("ends %s for %d runs", b, len(r.Runs))
	}
}
