package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/partialruns/velib-pipeline/constructs/skippable/contract"
	"github.com/partialruns/velib-pipeline/internal/layout"
	"github.com/partialruns/velib-pipeline/internal/plan"
)

// options holds every option; each command binds the ones it takes.
type options struct {
	access
	stateMachine, definition string
	from, only, skip         selection
	processDate              string
	systems                  string
	wait, dryRun             bool
	poll                     time.Duration
}

// selection is a --from, --only or --skip value that remembers whether it
// was given: given empty, it would select nothing and silently run
// everything, so it is a usage error instead.
type selection struct {
	value string
	set   bool
}

func (s *selection) String() string { return s.value }

func (s *selection) Set(v string) error {
	s.value, s.set = v, true
	return nil
}

// check refuses a selection given with no task in it.
func (s *selection) check(name string) error {
	if s.set && len(list(s.value)) == 0 {
		return fmt.Errorf("%w: --%s needs a task or flag name, got %q", errUsage, name, s.value)
	}
	return nil
}

func (o *options) bindAccess(fs *flag.FlagSet) {
	fs.StringVar(&o.region, "region", "", "AWS region (default: the ARN's)")
	fs.StringVar(&o.profile, "profile", "", "AWS profile from your shared configuration")
}

func (o *options) bindSource(fs *flag.FlagSet) {
	fs.StringVar(&o.stateMachine, "state-machine", "", "state machine ARN")
	fs.StringVar(&o.definition, "definition", "", "ASL definition or cdk synth template file")
}

func (o *options) bindSelection(fs *flag.FlagSet) {
	fs.Var(&o.from, "from", "run this task and everything downstream of it")
	fs.Var(&o.only, "only", "run only these tasks (comma-separated)")
	fs.Var(&o.skip, "skip", "do not run these tasks (comma-separated)")
	fs.StringVar(&o.systems, "systems", "", "process only these systems (comma-separated ids; default: every configured system)")
	fs.StringVar(&o.processDate, "process-date", "", "date partition to process, YYYY-MM-DD, or a backfill YYYY-MM-DD..YYYY-MM-DD (default: the execution's start date, UTC)")
}

func (o *options) bindWait(fs *flag.FlagSet) {
	fs.BoolVar(&o.wait, "wait", false, "follow the execution task by task until it ends; exit 1 if it fails")
	fs.DurationVar(&o.poll, "poll", 5*time.Second, "how often --wait asks for progress")
}

// parseNone reads args for a command that takes no positional argument.
func parseNone(name string, args []string, bind func(*flag.FlagSet)) error {
	pos, err := parse(name, args, bind)
	if err == nil && len(pos) > 0 {
		err = fmt.Errorf("%w: %s takes no argument, got %q", errUsage, name, pos[0])
	}
	return err
}

// parse reads args for a command whose options are bound by bind, allowing
// options after the positional arguments (partialrun resume ARN --wait).
func parse(name string, args []string, bind func(*flag.FlagSet)) ([]string, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	bind(fs)
	var positional []string
	for {
		if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
			return nil, err
		} else if err != nil {
			return nil, fmt.Errorf("%w: %v", errUsage, err)
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func list(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// systemList is --systems as given, each entry trimmed but none dropped,
// so that the validation sees (and refuses) an empty one.
func (o *options) systemList() []string {
	if o.systems == "" {
		return nil
	}
	var out []string
	for _, part := range strings.Split(o.systems, ",") {
		out = append(out, strings.TrimSpace(part))
	}
	return out
}

// load reads the definition from the file or from the state machine.
func (o *options) load(ctx context.Context) (*plan.Definition, error) {
	switch {
	case o.definition != "" && o.stateMachine != "":
		return nil, fmt.Errorf("%w: give --state-machine or --definition, not both", errUsage)
	case o.definition != "":
		b, err := os.ReadFile(o.definition)
		if err != nil {
			return nil, err
		}
		d, err := plan.Load(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", o.definition, err)
		}
		return checkGuards(d, o.definition)
	case o.stateMachine != "":
		client, err := o.machineClient(ctx)
		if err != nil {
			return nil, err
		}
		return describe(ctx, client, o.stateMachine)
	}
	return nil, fmt.Errorf("%w: --state-machine or --definition is required", errUsage)
}

func (o *options) machineClient(ctx context.Context) (api, error) {
	a, err := parseARN(o.stateMachine, "stateMachine")
	if err != nil {
		return nil, err
	}
	return o.client(ctx, a)
}

// executionClient checks that a command got exactly one execution ARN and
// returns a client for its region.
func (o *options) executionClient(ctx context.Context, command string, pos []string) (api, error) {
	if len(pos) != 1 {
		return nil, fmt.Errorf("%w: %s takes one execution ARN", errUsage, command)
	}
	a, err := parseARN(pos[0], "execution")
	if err != nil {
		return nil, err
	}
	return o.client(ctx, a)
}

func describe(ctx context.Context, client api, machineARN string) (*plan.Definition, error) {
	out, err := client.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(machineARN)})
	if err != nil {
		return nil, explain(err)
	}
	d, err := plan.Parse([]byte(aws.ToString(out.Definition)))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", machineARN, err)
	}
	return checkGuards(d, machineARN)
}

func checkGuards(d *plan.Definition, source string) (*plan.Definition, error) {
	if len(d.Guards) == 0 {
		return nil, fmt.Errorf("%s has no skippable guards: nothing can be switched off", source)
	}
	return d, nil
}

func cmdFlags(ctx context.Context, args []string, out io.Writer, connect connector) error {
	o := options{access: access{connect: connect}}
	if err := parseNone("flags", args, func(fs *flag.FlagSet) { o.bindSource(fs); o.bindAccess(fs) }); err != nil {
		return err
	}
	d, err := o.load(ctx)
	if err != nil {
		return err
	}
	for _, g := range d.Guards {
		after := "nothing"
		if len(g.Downstream) > 0 {
			after = strings.Join(g.Downstream, ", ")
		}
		fmt.Fprintf(out, "%s\n  guards: %s\n  then:   %s\n", g.Flag, g.Task, after)
	}
	return nil
}

// selection plans a run from the options, printing the plan.
func (o *options) selection(d *plan.Definition, out io.Writer) (string, error) {
	for name, sel := range map[string]*selection{"from": &o.from, "only": &o.only, "skip": &o.skip} {
		if err := sel.check(name); err != nil {
			return "", err
		}
	}
	run, err := d.Select(strings.TrimSpace(o.from.value), list(o.only.value), list(o.skip.value))
	if err != nil {
		return "", err
	}
	input := d.Input(run, o.processDate, o.systemList()...)
	// The state machine's own validation decides, before anything is
	// printed or started.
	name, cause, err := d.Refusal(input, time.Now())
	if err != nil {
		return "", err
	}
	if name != "" {
		return "", fmt.Errorf("%w: the state machine would fail this input with %s: %s\ninput: %s", errRefused, name, cause, input)
	}
	fmt.Fprintf(out, "%s\ninput: %s\n", d.Table(run), input)
	return input, nil
}

func cmdPlan(ctx context.Context, args []string, out io.Writer, connect connector) error {
	o := options{access: access{connect: connect}}
	if err := parseNone("plan", args, func(fs *flag.FlagSet) { o.bindSource(fs); o.bindSelection(fs); o.bindAccess(fs) }); err != nil {
		return err
	}
	d, err := o.load(ctx)
	if err != nil {
		return err
	}
	_, err = o.selection(d, out)
	return err
}

func cmdStart(ctx context.Context, args []string, out io.Writer, connect connector) error {
	o := options{access: access{connect: connect}}
	if err := parseNone("start", args, func(fs *flag.FlagSet) {
		fs.StringVar(&o.stateMachine, "state-machine", "", "state machine ARN")
		o.bindSelection(fs)
		o.bindWait(fs)
		o.bindAccess(fs)
	}); err != nil {
		return err
	}
	if o.stateMachine == "" {
		return fmt.Errorf("%w: --state-machine is required", errUsage)
	}
	client, err := o.machineClient(ctx)
	if err != nil {
		return err
	}
	d, err := describe(ctx, client, o.stateMachine)
	if err != nil {
		return err
	}
	input, err := o.selection(d, out)
	if err != nil {
		return err
	}
	return startAndWatch(ctx, client, o, o.stateMachine, input, out)
}

func startAndWatch(ctx context.Context, client api, o options, machineARN, input string, out io.Writer) error {
	started, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(machineARN), Input: aws.String(input)})
	if err != nil {
		return explain(err)
	}
	exec := aws.ToString(started.ExecutionArn)
	fmt.Fprintf(out, "started %s\n  %s\n", exec, consoleURL(exec))
	if !o.wait {
		return nil
	}
	return watch(ctx, client, exec, o.poll, out)
}

func cmdResume(ctx context.Context, args []string, out io.Writer, connect connector) error {
	o := options{access: access{connect: connect}}
	pos, err := parse("resume", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&o.dryRun, "dry-run", false, "print the plan and input, start nothing")
		fs.Var(&o.skip, "skip", "do not run these tasks either (comma-separated), e.g. a fetch that cannot be redone for a past day")
		o.bindWait(fs)
		o.bindAccess(fs)
	})
	if err != nil {
		return err
	}
	if err := o.skip.check("skip"); err != nil {
		return err
	}
	client, err := o.executionClient(ctx, "resume", pos)
	if err != nil {
		return err
	}
	r, err := planResume(ctx, client, pos[0], list(o.skip.value), time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "resuming %s (%s, started %s) on the current definition of %s\n",
		pos[0], r.status, r.started.UTC().Format(time.RFC3339), r.machine)
	for _, dec := range r.decisions {
		fmt.Fprintf(out, "  %s\n", dec)
	}
	fmt.Fprintf(out, "input: %s\n", r.input)
	switch {
	case r.nothing():
		fmt.Fprintln(out, "nothing left to run")
		return nil
	case o.dryRun:
		return nil
	}
	return startAndWatch(ctx, client, o, r.machine, r.input, out)
}

// resumption is what resuming an earlier execution would start.
type resumption struct {
	machine, status, input string
	started                time.Time
	decisions              []plan.Decision
}

func (r resumption) nothing() bool {
	for _, d := range r.decisions {
		if d.Run {
			return false
		}
	}
	return true
}

// planResume reads an ended execution, its history and the current
// definition of its state machine, and works out the new execution.
func planResume(ctx context.Context, client api, executionARN string, skip []string, now time.Time) (resumption, error) {
	exec, err := client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(executionARN)})
	if err != nil {
		return resumption{}, explain(err)
	}
	if exec.Status == types.ExecutionStatusRunning || exec.Status == types.ExecutionStatusPendingRedrive {
		return resumption{}, fmt.Errorf("execution %s is still %s: wait for it to end, or stop it, before resuming", executionARN, strings.ToLower(string(exec.Status)))
	}
	if aws.ToString(exec.Error) == contract.ErrorInvalidInput {
		return resumption{}, fmt.Errorf("execution %s failed because its input was invalid, so nothing ran and there is nothing to resume (%s); start a new execution with a corrected input", executionARN, aws.ToString(exec.Cause))
	}
	var input map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(exec.Input)), &input); err != nil {
		input = map[string]any{} // an input that was not an object failed validation: nothing ran
	}
	exited, recorded, err := exitedStates(ctx, client, executionARN)
	if err != nil {
		return resumption{}, err
	}
	r := resumption{machine: aws.ToString(exec.StateMachineArn), status: string(exec.Status), started: aws.ToTime(exec.StartDate)}
	d, err := describe(ctx, client, r.machine)
	if err != nil {
		return resumption{}, err
	}
	// The new run must process the day the earlier one did, not today: the
	// date its states recorded (after midnight, the snapshot's, not the
	// start's), else the one it was given, else its start date.
	date := recorded
	if date == "" {
		date, _ = input[layout.DateKey].(string)
	}
	if date == "" && exec.StartDate != nil {
		date = exec.StartDate.UTC().Format(time.DateOnly)
	}
	r.decisions = d.Resume(input, exited)
	for _, name := range skip {
		g, err := d.Lookup(name)
		if err != nil {
			return resumption{}, err
		}
		for i := range r.decisions {
			if r.decisions[i].Flag == g.Flag && r.decisions[i].Run {
				r.decisions[i].Run, r.decisions[i].Why = false, "--skip"
			}
		}
	}
	// Today's date is the default anyway; leaving it out keeps a resumed
	// ingest valid, since a date may be given only without one.
	if date == now.UTC().Format(time.DateOnly) {
		date = ""
	}
	if err := refetch(r.decisions, date); err != nil {
		return resumption{}, err
	}
	// The new run processes the systems the earlier one was given.
	r.input = d.Input(plan.RunMap(r.decisions), date, stringList(input[layout.SystemsKey])...)
	return r, nil
}

// fetchFlag guards the pipeline's ingest, which fetches the feed as it is
// now: a snapshot of a past day cannot be fetched again.
const fetchFlag = layout.FlagLoadData

// refetch refuses a resume that would fetch a past day's snapshot: the
// validation would reject its input anyway, and the operator must choose
// to process that day without the missing snapshot.
func refetch(decisions []plan.Decision, pastDate string) error {
	if pastDate == "" {
		return nil
	}
	for _, d := range decisions {
		if d.Flag == fetchFlag && d.Run {
			return fmt.Errorf("the execution processed %s, a past day, and its %s did not complete: a past snapshot cannot be fetched, "+
				"since the feed serves only the present; to process that day from the raw data already there, resume with --skip %s", pastDate, d.Task, d.Flag)
		}
	}
	return nil
}

// exitedStates reads the whole history of an execution and returns the
// states that exited, i.e. completed, and the last date a state's output
// recorded under the date key, if any.
func exitedStates(ctx context.Context, client api, execution string) (map[string]bool, string, error) {
	events, err := history(ctx, client, execution)
	if err != nil {
		return nil, "", err
	}
	exited := map[string]bool{}
	var date string
	for _, e := range events {
		if x := e.StateExitedEventDetails; x != nil {
			exited[aws.ToString(x.Name)] = true
			var out map[string]any
			if json.Unmarshal([]byte(aws.ToString(x.Output)), &out) == nil {
				if d, ok := out[layout.DateKey].(string); ok {
					date = d
				}
			}
		}
	}
	return exited, date, nil
}

func cmdRedrive(ctx context.Context, args []string, out io.Writer, connect connector) error {
	o := options{access: access{connect: connect}}
	pos, err := parse("redrive", args, func(fs *flag.FlagSet) { o.bindAccess(fs) })
	if err != nil {
		return err
	}
	client, err := o.executionClient(ctx, "redrive", pos)
	if err != nil {
		return err
	}
	res, err := client.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: aws.String(pos[0])})
	var notRedrivable *types.ExecutionNotRedrivable
	if errors.As(err, &notRedrivable) {
		return fmt.Errorf("execution %s cannot be redriven: %s\nRedrive needs a failed, timed-out or aborted execution younger than 14 days on an unchanged definition. "+
			"Start a new execution that runs only what is left instead:\n  partialrun resume %s", pos[0], aws.ToString(notRedrivable.Message), pos[0])
	}
	if err != nil {
		return explain(err)
	}
	fmt.Fprintf(out, "redriven %s at %s\n  %s\n", pos[0], res.RedriveDate.UTC().Format(time.RFC3339), consoleURL(pos[0]))
	return nil
}

// stringList is a JSON list of strings, or nil for anything else.
func stringList(v any) []string {
	items, _ := v.([]any)
	var out []string
	for _, item := range items {
		if s, ok := item.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
