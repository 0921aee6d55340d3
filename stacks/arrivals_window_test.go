package stacks_test

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/partialruns/velib-pipeline/constructs/arrivals"
	"github.com/partialruns/velib-pipeline/constructs/skippable/skippabletest"
	"github.com/partialruns/velib-pipeline/internal/aslrun"
	"github.com/partialruns/velib-pipeline/internal/jsonata"
	"github.com/partialruns/velib-pipeline/internal/windowsim"
)

// windowScenario fills in the synthesized window (event runs on, a
// 5-minute quiet time) and a 30-minute run.
func windowScenario(t *testing.T, s windowsim.Scenario) windowsim.Result {
	t.Helper()
	def, err := json.Marshal(machineDefinition(t, synth(t, configurations[1]), "ArrivalsWindow"))
	if err != nil {
		t.Fatal(err)
	}
	s.Definition, s.Target = def, "pipeline"
	if s.RunTime == 0 {
		s.RunTime = 30 * time.Minute
	}
	r, err := windowsim.Simulate(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// epoch is windowsim's time zero.
var epoch = time.Date(2026, 12, 6, 6, 0, 0, 0, time.UTC)

const quiet = 5 * time.Minute

// files are n keys of day, one every gap from start.
func files(day string, n int, start, gap time.Duration) []windowsim.Arrival {
	out := make([]windowsim.Arrival, n)
	for i := range out {
		out[i] = windowsim.Arrival{At: start + time.Duration(i)*gap, Key: fmt.Sprintf("arrivals/velib/dt=%s/velib-%03d.json.gz", day, i)}
	}
	return out
}

// validated runs a run's input through the pipeline's validation with
// the test kit, at the run's start.
func validated(t *testing.T, run windowsim.Run) skippabletest.Result {
	t.Helper()
	kit, err := skippabletest.Load(flatDefinition(t))
	if err != nil {
		t.Fatal(err)
	}
	in, err := json.Marshal(run.Input)
	if err != nil {
		t.Fatal(err)
	}
	res, err := kit.Run(string(in), epoch.Add(run.Start))
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestWindowOneRunPerBurst: a day copied as 96 files, 5 s apart, starts
// one run, a quiet time after the last file, for that day alone; the run's
// input passes the pipeline's validation, which derives the day.
func TestWindowOneRunPerBurst(t *testing.T) {
	burst := files("2026-12-05", 96, 0, 5*time.Second)
	r := windowScenario(t, windowsim.Scenario{Arrivals: burst})
	if len(r.Runs) != 1 {
		t.Fatalf("%d runs, want 1: %+v", len(r.Runs), r.Runs)
	}
	run := r.Runs[0]
	last := burst[len(burst)-1].At
	if run.Start < last+quiet {
		t.Errorf("the run started %s after the last file, before the quiet time", run.Start-last)
	}
	if want := []any{"arrivals/velib/dt=2026-12-05/"}; !slices.Equal(run.Input["arrivals"].([]any), want) || run.Input["lambda_load_data"] != false {
		t.Errorf("run input %v", run.Input)
	}
	if !strings.HasPrefix(run.Name, "arrivals-") {
		t.Errorf("run name %q", run.Name)
	}
	if r.Windows != 96 || r.Ends[arrivals.StateLater] != 95 || r.Ends[arrivals.StateStarted] != 1 || len(r.Left) != 0 {
		t.Errorf("%d windows ending %v, %d keys left", r.Windows, r.Ends, len(r.Left))
	}
	res := validated(t, run)
	if !res.Valid() {
		t.Fatalf("the pipeline refuses the run: %s", res.Cause)
	}
	if got := res.Output.(map[string]any)["process_date"]; got != "2026-12-05" {
		t.Errorf("process_date %v", got)
	}
}

// TestWindowKeysAsS3GivesThem: a window's folders are cut from the keys
// as they come, plain or URL-encoded, and the validation reads both; a
// key that does not parse fails the run with InvalidInput naming it.
func TestWindowKeysAsS3GivesThem(t *testing.T) {
	r := windowScenario(t, windowsim.Scenario{Arrivals: []windowsim.Arrival{
		{At: 0, Key: "arrivals/velib/dt%3D2026-12-04/partner+copy/snap+1%25.json"},
		{At: time.Minute, Key: "arrivals/velib/dt=2026-12-05/a b.json"},
	}})
	if len(r.Runs) != 1 {
		t.Fatalf("%d runs, want 1", len(r.Runs))
	}
	res := validated(t, r.Runs[0])
	if !res.Valid() {
		t.Fatalf("the pipeline refuses the run: %s", res.Cause)
	}
	if got := res.Output.(map[string]any)["process_date"]; got != "2026-12-04..2026-12-05" {
		t.Errorf("process_date %v", got)
	}

	bad := windowScenario(t, windowsim.Scenario{Arrivals: []windowsim.Arrival{
		{At: 0, Key: "arrivals/velib/dt=2026-12-05/a.json"}, {At: time.Second, Key: "arrivals/velib/2026-12-05.json"},
	}})
	res = validated(t, bad.Runs[0])
	if res.Valid() || !strings.Contains(res.Cause, `arrivals lists "arrivals/velib/2026-12-05.json": not arrivals/<system>/dt=YYYY-MM-DD/…`) {
		t.Errorf("got %s %q, want InvalidInput naming the key", res.Error, res.Cause)
	}
}

// TestWindowFilesDuringARun: files that land while a window's run is in
// progress go to a later run, which starts when the first has ended; a
// schedule's run in progress holds a window's run back the same way.
func TestWindowFilesDuringARun(t *testing.T) {
	first := files("2026-12-04", 10, 0, 10*time.Second)
	second := files("2026-12-05", 10, 10*time.Minute, 10*time.Second)
	r := windowScenario(t, windowsim.Scenario{Arrivals: append(first, second...)})
	if len(r.Runs) != 2 {
		t.Fatalf("%d runs, want 2: %+v", len(r.Runs), r.Runs)
	}
	if r.Runs[1].Start < r.Runs[0].End {
		t.Errorf("the second run started at %s, while the first ran (until %s)", r.Runs[1].Start, r.Runs[0].End)
	}
	for i, day := range []string{"2026-12-04", "2026-12-05"} {
		if want := []any{"arrivals/velib/dt=" + day + "/"}; !slices.Equal(r.Runs[i].Input["arrivals"].([]any), want) {
			t.Errorf("run %d: %v, want %v", i, r.Runs[i].Input["arrivals"], want)
		}
	}

	daily := [2]time.Duration{2 * time.Minute, 40 * time.Minute}
	r = windowScenario(t, windowsim.Scenario{Arrivals: first, Busy: [][2]time.Duration{daily}})
	if len(r.Runs) != 1 || r.Runs[0].Start < daily[1] {
		t.Errorf("runs %+v; want one, after the schedule's run ends at %s", r.Runs, daily[1])
	}
}

// TestWindowRandomBursts tries bursts of random sizes, spacing and days,
// quiet gaps between them, and a listing that lags or not: no file is left
// out of a run started after it landed, nothing stays on the queue, runs
// never overlap, and, with an up-to-date listing, each burst is one run.
func TestWindowRandomBursts(t *testing.T) {
	for seed := int64(1); seed <= 40; seed++ {
		rng := rand.New(rand.NewSource(seed))
		var arrived []windowsim.Arrival
		at, bursts := time.Duration(0), 1+rng.Intn(5)
		for b := 0; b < bursts; b++ {
			if b > 0 {
				// Well past the quiet time, up to two hours.
				at += quiet + 30*time.Second + time.Duration(rng.Int63n(int64(2*time.Hour)))
			}
			for f, n := 0, 1+rng.Intn(40); f < n; f++ {
				day := fmt.Sprintf("2026-12-%02d", 1+rng.Intn(5))
				arrived = append(arrived, windowsim.Arrival{At: at, Key: fmt.Sprintf("arrivals/velib/dt=%s/b%d-f%d.json", day, b, f)})
				// Well inside the quiet time.
				at += time.Duration(rng.Int63n(int64(quiet - 30*time.Second)))
			}
		}
		lag := time.Duration(0)
		if seed%2 == 0 {
			lag = 3 * time.Second
		}
		r := windowScenario(t, windowsim.Scenario{Arrivals: arrived, ListLag: lag, Seed: seed})
		name := fmt.Sprintf("seed %d (%d files, %d bursts, listing %s behind)", seed, len(arrived), bursts, lag)
		for _, a := range arrived {
			folder := a.Key[:strings.LastIndex(a.Key, "/")+1]
			if !slices.ContainsFunc(r.Runs, func(run windowsim.Run) bool {
				return run.Start >= a.At && slices.Contains(run.Input["arrivals"].([]any), any(folder))
			}) {
				t.Errorf("%s: %s (at %s) is in no later run", name, a.Key, a.At)
			}
		}
		if len(r.Left) > 0 {
			t.Errorf("%s: %d keys left on the queue", name, len(r.Left))
		}
		for i := 1; i < len(r.Runs); i++ {
			if r.Runs[i].Start < r.Runs[i-1].End {
				t.Errorf("%s: run %d started while run %d ran", name, i, i-1)
			}
		}
		if lag == 0 && len(r.Runs) != bursts {
			t.Errorf("%s: %d runs, want one per burst", name, len(r.Runs))
		}
	}
}

// TestWindowRunsOnEveryInterpreter takes S3's events through the window
// to the runs it starts, and runs those inputs through the pipeline on
// both interpreters: keys as written and URL-encoded become their days'
// run, with the days and systems the validation derived reaching the Glue
// jobs; a key that does not parse fails at the first state with
// InvalidInput naming it, before any task. The test kit agrees on each.
func TestWindowRunsOnEveryInterpreter(t *testing.T) {
	// Days up to the interpreters' start date, 2026-11-21.
	good := windowScenario(t, windowsim.Scenario{Arrivals: []windowsim.Arrival{
		{At: 0, Key: "arrivals/velib/dt%3D2026-11-19/partner+copy/snap+1%25.json"},
		{At: time.Minute, Key: "arrivals/velib/dt=2026-11-20/a b.json"},
		{At: 2 * time.Minute, Key: "arrivals%2Fvelib%2Fdt%3D2026-11-20%2Fc.json"},
	}})
	bad := windowScenario(t, windowsim.Scenario{Arrivals: []windowsim.Arrival{
		{At: 0, Key: "arrivals/velib/dt=2026-11-31/a.json"},
	}})
	if len(good.Runs) != 1 || len(bad.Runs) != 1 {
		t.Fatalf("%d and %d runs, want 1 each", len(good.Runs), len(bad.Runs))
	}
	var cases []aslrun.Case
	var inputs []string
	for _, run := range []windowsim.Run{good.Runs[0], bad.Runs[0]} {
		in, err := json.Marshal(run.Input)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, string(in))
		cases = append(cases, aslrun.Case{Input: in, Mocks: succeeding()})
	}
	kit, err := skippabletest.Load(flatDefinition(t))
	if err != nil {
		t.Fatal(err)
	}
	onEach(t, cases, func(t *testing.T, results []aslrun.Result) {
		for i, r := range results {
			agreesWithKit(t, kit, inputs[i], r)
		}
		ok := results[0]
		if ok.Status != "SUCCEEDED" || !slices.Equal(ran(ok), []string{"Gold avail percent", "Gold avg stats", "Raw to silver"}) {
			t.Fatalf("%s: %s %s, ran %v", inputs[0], ok.Status, ok.Cause, ran(ok))
		}
		for _, c := range ok.Calls {
			args := c.Input.(map[string]any)["Arguments"].(map[string]any)
			if args["--process_date"] != "2026-11-19..2026-11-20" || args["--systems"] != `["velib"]` {
				t.Errorf("%s got %v and %v", c.State, args["--process_date"], args["--systems"])
			}
		}
		no := results[1]
		if no.Error != "InvalidInput" || len(no.Calls) != 0 || !strings.Contains(no.Cause, `"arrivals/velib/dt=2026-11-31/": its day "2026-11-31" is not a calendar date`) {
			t.Errorf("%s: %s %q with %d calls, want InvalidInput naming the folder", inputs[1], no.Error, no.Cause, len(no.Calls))
		}
	})
}

// TestWindowRunsMergeBehindALongRun: thirty days uploaded one file every
// 6 minutes, while each run takes 45: the windows that close during a run
// leave their keys on the queue, and the newest takes them all once the
// run ends, so runs merge, none overlaps, and no window times out.
func TestWindowRunsMergeBehindALongRun(t *testing.T) {
	var arrived []windowsim.Arrival
	for d := 0; d < 30; d++ {
		arrived = append(arrived, windowsim.Arrival{At: time.Duration(d) * 6 * time.Minute, Key: fmt.Sprintf("arrivals/velib/dt=2026-11-%02d/a.json", d+1)})
	}
	r := windowScenario(t, windowsim.Scenario{Arrivals: arrived, RunTime: 45 * time.Minute, Seed: 7})
	if r.Ends[windowsim.TimedOut] > 0 {
		t.Errorf("%d windows timed out", r.Ends[windowsim.TimedOut])
	}
	// 30 files over 3 hours behind 45-minute runs: a handful of runs.
	if len(r.Runs) > 6 {
		t.Errorf("%d runs for 30 files over 3 hours of 45-minute runs: the windows did not merge", len(r.Runs))
	}
	for i := 1; i < len(r.Runs); i++ {
		if r.Runs[i].Start < r.Runs[i-1].End {
			t.Errorf("run %d started while run %d ran", i, i-1)
		}
	}
	for _, a := range arrived {
		folder := a.Key[:strings.LastIndex(a.Key, "/")+1]
		if !slices.ContainsFunc(r.Runs, func(run windowsim.Run) bool {
			return run.Start >= a.At && slices.Contains(run.Input["arrivals"].([]any), any(folder))
		}) {
			t.Errorf("%s is in no later run", a.Key)
		}
	}
	// A trickle one second slower than the quiet time: each file closes a
	// window, and the runs still queue.
	trickle := files("2026-11-20", 12, 0, quiet+time.Second)
	r = windowScenario(t, windowsim.Scenario{Arrivals: trickle, Seed: 3})
	for i := 1; i < len(r.Runs); i++ {
		if r.Runs[i].Start < r.Runs[i-1].End {
			t.Errorf("trickle: run %d started while run %d ran", i, i-1)
		}
	}
	if len(r.Runs) > 3 || len(r.Left) > 0 {
		t.Errorf("trickle: %d runs, %d keys left", len(r.Runs), len(r.Left))
	}
}

// TestWindowLeavesOutWhatNoRunReads: the folder markers the S3 console
// makes above the day, a .DS_Store and a tool's _SUCCESS do not reach the
// run (they would fail it, good days and all); keys with every slash
// encoded give their day folder once.
func TestWindowLeavesOutWhatNoRunReads(t *testing.T) {
	stray := []string{"arrivals/", "arrivals/velib/", "arrivals/velib/.DS_Store", "arrivals/velib/dt=2026-12-05/_SUCCESS",
		"arrivals/velib/dt=2026-12-04/_partner export/x.json"}
	var arrived []windowsim.Arrival
	for i, k := range stray {
		arrived = append(arrived, windowsim.Arrival{At: time.Duration(i) * time.Second, Key: k})
	}
	arrived = append(arrived, files("2026-12-05", 2, 10*time.Second, time.Second)...)
	for i := 0; i < 50; i++ {
		arrived = append(arrived, windowsim.Arrival{At: 20 * time.Second, Key: fmt.Sprintf("arrivals%%2Fvelib%%2Fdt%%3D2026-12-03%%2Ff%d.json", i)})
	}
	r := windowScenario(t, windowsim.Scenario{Arrivals: arrived})
	if len(r.Runs) != 1 {
		t.Fatalf("%d runs, want 1", len(r.Runs))
	}
	got := r.Runs[0].Input["arrivals"].([]any)
	slices.SortFunc(got, func(a, b any) int { return strings.Compare(a.(string), b.(string)) })
	if want := []any{"arrivals/velib/dt%3D2026-12-03/", "arrivals/velib/dt=2026-12-05/"}; !slices.Equal(got, want) {
		t.Errorf("run input %v, want %v", got, want)
	}
	if res := validated(t, r.Runs[0]); !res.Valid() {
		t.Errorf("the pipeline refuses the run: %s", res.Cause)
	}
}

// TestWindowJSONataEngines evaluates every JSONata expression of the
// window (but the Wait's jitter, which is random) on jsonata-js,
// jsonata-python and jsonata-go, over the results and inputs its states
// meet: empty and full receives, stray and encoded keys, listings with
// and without executions. The simulation runs jsonata-go; Step Functions
// runs jsonata-js: they must agree. A task's result is given as the
// input, and the variables are bound as a run would have them.
func TestWindowJSONataEngines(t *testing.T) {
	def, err := json.Marshal(machineDefinition(t, synth(t, configurations[1]), "ArrivalsWindow"))
	if err != nil {
		t.Fatal(err)
	}
	found, err := jsonata.Expressions(def)
	if err != nil {
		t.Fatal(err)
	}
	var exprs []jsonata.Expression
	for _, x := range found {
		if strings.Contains(x.Source, "$random") {
			continue
		}
		x.Source = `( $folders := ["arrivals/velib/dt=2026-12-01/"]; $takes := 3; ` + strings.ReplaceAll(x.Source, "$states.result", "$states.input") + ` )`
		exprs = append(exprs, x)
	}
	if len(exprs) < 10 {
		t.Fatalf("only %d expressions in the window", len(exprs))
	}
	msg := func(bodies ...string) string {
		var m []map[string]string
		for i, b := range bodies {
			m = append(m, map[string]string{"Body": b, "ReceiptHandle": fmt.Sprint("r", i), "MessageId": fmt.Sprint(i)})
		}
		out, _ := json.Marshal(map[string]any{"Messages": m})
		return string(out)
	}
	inputs := []string{
		`{}`,
		msg("arrivals/velib/dt=2026-12-05/a.json"),
		msg("arrivals/", "arrivals%2Fvelib%2Fdt%3D2026-12-03%2Ff.json", "arrivals/velib/.DS_Store", "arrivals/velib/dt%3D2026-12-05/a+b.json",
			"arrivals/velib/dt=2026-12-05/_x/y", "arrivals/velib/dt=2026-12-06/", "arrivals/velib/x"),
		`{"Executions": [{"ExecutionArn": "arn:aws:states:eu-west-3:111122223333:execution:w:w1", "StartDate": "2026-12-06T06:00:00.000Z", "Status": "RUNNING"}]}`,
		`{"Executions": [{"ExecutionArn": "arn:aws:states:eu-west-3:111122223333:execution:w:w2", "Status": "RUNNING"}]}`,
		`{"Executions": []}`,
		`{"entries": [{"Id": "m0", "ReceiptHandle": "r0"}]}`,
		`{"folders": ["arrivals/velib/dt=2026-12-05/"], "more": true}`,
		`{"detail": {"object": {"key": "arrivals/velib/dt=2026-12-05/a b.json"}}}`,
		`{"handover": true}`,
	}
	ctx := map[string]any{
		"Execution":    map[string]any{"Id": "arn:aws:states:eu-west-3:111122223333:execution:w:w1", "Name": "w1", "StartTime": startTime},
		"StateMachine": map[string]any{"Id": "arn:aws:states:eu-west-3:111122223333:stateMachine:w"},
	}
	cases := make([]jsonata.Case, len(inputs))
	for i, in := range inputs {
		cases[i] = jsonata.Case{Input: json.RawMessage(in), Context: ctx}
	}
	diffs, _, err := jsonata.Differences(exprs, cases)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diffs {
		t.Errorf("the engines disagree on %s", d)
	}
	t.Logf("%d expressions × %d inputs × 3 engines", len(exprs), len(cases))
}
