package local

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/partialruns/velib-pipeline/internal/aslrun"
	"github.com/partialruns/velib-pipeline/internal/layout"
	"github.com/partialruns/velib-pipeline/internal/plan"
	"github.com/partialruns/velib-pipeline/lambda/loaddata/ingest"
)

// Options configure a local run.
type Options struct {
	// Assembly is the folder `cdk synth` wrote (cdk.out) and Stack the
	// stack's name in it.
	Assembly, Stack string
	// Dir holds the local state: s3/ (the buckets), spark/ (metastore,
	// warehouse) and spark.log.
	Dir string
	// Input is the execution input, as typed in the console. Empty means {}.
	Input json.RawMessage
	// Python and Runner run the Glue jobs: the project's virtual
	// environment and glue_scripts/local_runner.py.
	Python, Runner string
	// Out receives progress and the summary.
	Out io.Writer
	// Now is the clock for the execution start and the feed. Default:
	// time.Now.
	Now func() time.Time
	// Feed is served to the ingest. Default: the bundled 300-station feed.
	Feed *Feed
}

// Step is what happened to one guarded task.
type Step struct {
	Flag, Task string
	// Status is one of the Step statuses below.
	Status  string
	Seconds float64
	Rows    int
	// Quality is what raw → silver reports besides its rows; zero for the
	// other tasks.
	Quality Quality
}

// What happened to a step.
const (
	StepRan        = "ran"
	StepSkipped    = "skipped"     // its flag was false
	StepFailed     = "failed"      // it ran and failed
	StepNotReached = "not reached" // the execution ended before its guard
)

// Report is the outcome of a local run.
type Report struct {
	Status, Error, Cause, FailedState string
	Steps                             []Step
	Output                            any
	Buckets                           string
	// Raw is the folder the ingest writes each system's snapshots under
	// (<Raw><system>/dt=<day>/), where files of one's own may go too.
	Raw string
	// Execution is the run's execution id, which its table commits carry
	// (partialrun undo --local takes it).
	Execution string
}

// executionID names a local run as Step Functions names an execution,
// unique per run (the time and a random suffix), so that its commits can
// be told from another run's.
func executionID(stack string, start time.Time) string {
	var b [3]byte
	rand.Read(b[:])
	return fmt.Sprintf("arn:aws:states:local:000000000000:execution:%s:local-%s-%x", stack, start.UTC().Format("20060102T150405Z"), b)
}

// Run executes the synthesized state machine once with opts.Input, every
// task done by the real code on this machine. It holds the state folder
// for the run: two runs on one folder would share its metastore, which
// admits one process, and its tables, so the second stops before it
// touches either.
func Run(ctx context.Context, opts Options) (*Report, error) {
	s, err := Open(opts.Dir, opts.Python, opts.Runner)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	return s.Run(ctx, opts)
}

// run is a run in session s, whose folder opts.Dir is.
func run(ctx context.Context, s *Session, opts Options) (*Report, error) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	asm, err := LoadAssembly(opts.Assembly, opts.Stack)
	if err != nil {
		return nil, err
	}
	def, err := plan.Parse(asm.Definition)
	if err != nil {
		return nil, err
	}
	store := Store{Root: filepath.Join(opts.Dir, "s3")}
	feed := opts.Feed
	if feed == nil {
		if feed, err = NewFeed(); err != nil {
			return nil, err
		}
	}
	feed.Now = now
	feedURL, stopFeed, err := feed.Serve()
	if err != nil {
		return nil, err
	}
	defer stopFeed()

	r := &runner{opts: opts, asm: asm, store: store, feedURL: feedURL, now: now, start: now(), began: time.Now(), steps: map[string]*Step{}, session: s}
	for _, g := range def.Guards {
		r.steps[g.Task] = &Step{Flag: g.Flag, Task: g.Task, Status: StepNotReached}
		r.guards = append(r.guards, g)
	}
	input := opts.Input
	if len(strings.TrimSpace(string(input))) == 0 {
		input = json.RawMessage(`{}`)
	}
	// Guards read their flags from the execution input.
	json.Unmarshal(input, &r.input)
	start := r.start.UTC().Format("2006-01-02T15:04:05.000Z")
	r.say("running state machine %s locally, input %s", opts.Stack, abbreviate(compact(input), 200))
	r.execution = executionID(opts.Stack, r.start)
	res, err := aslrun.RunLive(asm.Definition, r.execution, start, input, r.handle, r.event)
	if err != nil {
		return nil, err
	}
	report := &Report{Status: res.Status, Error: res.Error, Cause: res.Cause, FailedState: res.FailedState, Output: res.Output, Buckets: store.Root, Raw: asm.rawFolder(store), Execution: r.execution}
	// A task the interpreter gave up on (its timeout struck) failed, even
	// if its work went on to finish.
	if s, ok := r.steps[res.FailedState]; ok && s.Status == StepRan {
		s.Status = StepFailed
	}
	for _, g := range def.Guards {
		report.Steps = append(report.Steps, *r.steps[g.Task])
	}
	r.summary(report)
	return report, nil
}

// runner holds one run's state; handle may run concurrently for Parallel
// branches.
type runner struct {
	opts    Options
	asm     *Assembly
	store   Store
	feedURL string
	now     func() time.Time
	start   time.Time // the execution's start, on the run's clock
	began   time.Time // the wall-clock start, for progress lines
	guards  []plan.Guard
	// execution is the run's execution id (executionID).
	execution string

	mu    sync.Mutex // guards steps, runs and the output
	steps map[string]*Step
	runs  int
	// input is the execution input, when it is an object.
	input map[string]any

	// session holds the state folder and its Spark runner.
	session *Session
}

func (r *runner) say(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(r.opts.Out, "[%6.1fs] %s\n", time.Since(r.began).Seconds(), fmt.Sprintf(format, args...))
}

// event reports every state as it is entered, except tasks, which report
// when their work starts; a guard whose flag is false is reported as
// skipping its task.
func (r *runner) event(e aslrun.Event) {
	if e.StateType == "Task" {
		return
	}
	r.say("%-6s %s", strings.ToLower(e.StateType), e.State)
	for _, g := range r.guards {
		if g.State == e.State && r.input[g.Flag] == false {
			r.setStatus(g.Task, StepSkipped)
			r.say("skip   %s (%s is false)", g.Task, g.Flag)
		}
	}
}

// handle does a Task's work: the ingest function in this process, or a Glue
// job in the local Spark runner.
func (r *runner) handle(state string, raw json.RawMessage) (any, error) {
	var in struct {
		JobName      string            `json:"JobName"`
		Arguments    map[string]string `json:"Arguments"`
		FunctionName string            `json:"FunctionName"`
		Payload      struct {
			System string `json:"system"`
		} `json:"Payload"`
	}
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, err
	}
	begin := time.Now()
	var out any
	var err error
	switch {
	case in.JobName != "":
		out, err = r.glue(state, in.JobName, in.Arguments, begin)
	case in.FunctionName != "":
		// Every ingest, of any system and round, is the ingest step's.
		state = r.ingestStep()
		out, err = r.ingest(state, in.FunctionName[strings.LastIndex(in.FunctionName, ":")+1:], in.Payload.System, begin)
	default:
		err = &aslrun.TaskError{Name: "Local.Unsupported", Cause: "task " + state + " calls a service the local run does not provide"}
	}
	if err != nil {
		r.setStatus(state, StepFailed)
	}
	return out, err
}

func (r *runner) setStatus(task, status string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if s, ok := r.steps[task]; ok {
		s.Status = status
	}
}

// ingestStep is the step of the ingest's guard.
func (r *runner) ingestStep() string {
	for _, g := range r.guards {
		if g.Flag == layout.FlagLoadData {
			return g.Task
		}
	}
	return ""
}

// ingest runs the ingest function's code for one system, whose feed is
// the bundled one, served under the system's folder.
func (r *runner) ingest(step, function, system string, begin time.Time) (any, error) {
	fn, ok := r.asm.Functions[function]
	if !ok {
		return nil, &aslrun.TaskError{Name: "Lambda.ResourceNotFoundException", Cause: "no function " + function + " in the template"}
	}
	var systems []layout.System
	if err := json.Unmarshal([]byte(fn.Environment["SYSTEMS"]), &systems); err != nil {
		return nil, &aslrun.TaskError{Name: "Local.BadTemplate", Cause: "function " + function + ": SYSTEMS: " + err.Error()}
	}
	if !slices.Contains(layout.SystemIDs(systems), system) {
		return nil, &aslrun.TaskError{Name: "errorString", Cause: fmt.Sprintf("unknown system %q", system)}
	}
	in := &ingest.Ingester{
		System:  system,
		FeedURL: r.feedURL + system + "/",
		Bucket:  fn.Environment["BUCKET"],
		Prefix:  fn.Environment["RAW_PREFIX"] + system + "/",
		Fetcher: &ingest.Fetcher{Client: &http.Client{Timeout: 10 * time.Second}},
		S3:      r.store,
		Now:     r.now,
		Log:     discardLogger(),
	}
	r.say("start  %s: %s", step, system)
	sum, err := in.Run(context.Background())
	if err != nil {
		r.say("failed %s: %s: %v", step, system, err)
		return nil, &aslrun.TaskError{Name: "errorString", Cause: err.Error()}
	}
	r.finished(step, begin, sum.Stations, fmt.Sprintf("%s: %d stations to %s", system, sum.Stations, r.store.Path(sum.Bucket, sum.Key)))
	return map[string]any{"StatusCode": 200, "Payload": sum}, nil
}

func (r *runner) glue(state, jobID string, args map[string]string, begin time.Time) (any, error) {
	job, ok := r.asm.Jobs[jobID]
	if !ok {
		return nil, &aslrun.TaskError{Name: "Glue.EntityNotFoundException", Cause: "no job " + jobID + " in the template"}
	}
	script, pythonpath, argv, err := r.asm.jobCommand(r.store, job, args)
	if err != nil {
		return nil, &aslrun.TaskError{Name: "States.TaskFailed", Cause: err.Error()}
	}
	spark, err := r.sparkRunner()
	if err != nil {
		return nil, err
	}
	// The local Spark runs one job at a time, so a job entered beside
	// another (in a Parallel) starts, and is timed, when that one ends.
	reply, err := spark.run(script, pythonpath, argv,
		func() { r.say("wait   %s (local Spark runs one job at a time)", state) },
		func() { begin = time.Now(); r.say("start  %s", state) },
		func(reply jobReply) {
			if reply.Error != "" {
				r.say("failed %s: %s: %s", state, reply.Error, reply.Cause)
			} else {
				r.finished(state, begin, reply.Rows, fmt.Sprintf("%d rows", reply.Rows))
			}
		})
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	// A job that wrote what was good and then failed reports it too.
	if s, ok := r.steps[state]; ok {
		s.Quality = reply.Quality
	}
	r.mu.Unlock()
	if reply.Error != "" {
		return nil, &aslrun.TaskError{Name: "States.TaskFailed", Cause: fmt.Sprintf(`{"JobName":%q,"JobRunState":"FAILED","ErrorMessage":%q}`, job.Name, reply.Cause)}
	}
	r.mu.Lock()
	r.runs++
	id := fmt.Sprintf("jr_local_%d", r.runs)
	r.mu.Unlock()
	return map[string]any{"Id": id, "JobName": job.Name, "JobRunState": "SUCCEEDED"}, nil
}

func (r *runner) finished(state string, begin time.Time, rows int, what string) {
	secs := time.Since(begin).Seconds()
	r.mu.Lock()
	// A step of several tasks (the ingest of each system) adds them up.
	if s, ok := r.steps[state]; ok {
		if s.Status != StepRan {
			s.Seconds, s.Rows = 0, 0
		}
		s.Status, s.Seconds, s.Rows = StepRan, s.Seconds+secs, s.Rows+rows
	}
	r.mu.Unlock()
	r.say("done   %s in %.1f s: %s", state, secs, what)
}

// sparkRunner is the session's Spark runner, started on the first Glue
// task: a run that skips every job never pays for it.
func (r *runner) sparkRunner() (*sparkRunner, error) {
	return r.session.sparkRunner(func(log string) { r.say("starting local Spark (its log: %s)", log) })
}

// summary prints one line per task and where the data is.
func (r *runner) summary(rep *Report) {
	out := r.opts.Out
	fmt.Fprintf(out, "\n%-22s %-11s %8s %8s\n", "task", "result", "seconds", "rows")
	for _, s := range rep.Steps {
		secs, rows := "-", "-"
		if s.Status == StepRan {
			secs, rows = fmt.Sprintf("%.1f", s.Seconds), fmt.Sprint(s.Rows)
		}
		fmt.Fprintf(out, "%-22s %-11s %8s %8s\n", s.Task, s.Status, secs, rows)
	}
	for _, s := range rep.Steps {
		for _, line := range s.Quality.lines() {
			fmt.Fprintf(out, "%s: %s\n", s.Task, line)
		}
	}
	fmt.Fprintf(out, "\nexecution %s", rep.Status)
	if rep.Status != "SUCCEEDED" {
		fmt.Fprintf(out, " at %s\n  error: %s\n  cause: %s", rep.FailedState, rep.Error, rep.Cause)
	}
	fmt.Fprintf(out, "\ndata (raw snapshots and table files): %s\ncatalogs (Iceberg's in iceberg-catalog.db, and a Hive metastore for Parquet tables of earlier versions): %s\n", rep.Buckets, filepath.Join(r.opts.Dir, "spark"))
	if rep.Raw != "" {
		fmt.Fprintf(out, "raw snapshots: %s<system>/dt=<YYYY-MM-DD>/ (files of your own there are refined with ingest off)\n", rep.Raw)
	}
	// Its table commits carry it, so it is what an undo names.
	fmt.Fprintf(out, "execution id: %s", rep.Execution)
	if slices.ContainsFunc(rep.Steps, func(s Step) bool { return (s.Status == StepRan || s.Status == StepFailed) && s.Task != r.ingestStep() }) {
		fmt.Fprintf(out, " (undo its table commits: go run ./cmd/partialrun undo %s --local)", rep.Execution)
	}
	fmt.Fprintln(out)
}

// abbreviate shortens s to about n bytes for a progress line.
func abbreviate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return fmt.Sprintf("%s… (%d bytes)", s[:n], len(s))
}

func compact(raw json.RawMessage) string {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return string(raw)
	}
	return b.String()
}
