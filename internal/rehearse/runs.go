package rehearse

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/partialruns/velib-pipeline/internal/layout"
)

// glueGap is how the emulator ends a Glue task (Gaps).
const glueGap = "not yet implemented"

// ingestState is the Map state that runs the ingest function.
const ingestState = "Load each system"

// A run is an execution the rehearsal starts, and what its history must
// show.
type run struct {
	what  string
	name  string
	input string
	check func(r *rehearsal, e *execution) error
	// alert: its failure must reach the failure topic (quiet- runs must
	// not).
	alert bool
}

// ofType lists the logical ids of the template's resources of type typ.
func (d *deployed) ofType(typ string) []string {
	var ids []string
	for id, r := range d.template["Resources"].(map[string]any) {
		if t, _ := r.(map[string]any)["Type"].(string); t == typ {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// named is the physical id of the resource of type typ whose logical id
// is prefix and CDK's hash.
func (d *deployed) named(typ, prefix string) (string, error) {
	for _, id := range d.ofType(typ) {
		if rest, ok := strings.CutPrefix(id, prefix); ok && len(rest) == 8 && strings.Trim(rest, "0123456789ABCDEF") == "" {
			return d.physical[id], nil
		}
	}
	return "", fmt.Errorf("the stack has no %s %s…", typ, prefix)
}

func (d *deployed) one(typ string) (string, error) {
	ids := d.ofType(typ)
	if len(ids) != 1 {
		return "", fmt.Errorf("the stack has %d resources of type %s, want 1", len(ids), typ)
	}
	return d.physical[ids[0]], nil
}

// jobSettings are the Glue jobs' configured workers and timeout, which a
// run of one day must be given.
func (d *deployed) jobSettings() (workers, timeout float64) {
	for _, id := range d.ofType("AWS::Glue::Job") {
		props := d.template["Resources"].(map[string]any)[id].(map[string]any)["Properties"].(map[string]any)
		workers, _ = props["NumberOfWorkers"].(float64)
		timeout, _ = props["Timeout"].(float64)
	}
	return workers, timeout
}

// stopsAtGlue checks that e's first Glue task was state, for day, with
// the configured workers and timeout, and that it stopped there, at the
// emulator's gap.
func stopsAtGlue(d *deployed, e *execution, state, day string) error {
	tasks := e.glueTasks()
	if len(tasks) == 0 {
		return fmt.Errorf("no Glue task was scheduled: %s", e.describe())
	}
	t := tasks[0]
	capacity, _ := t.input["glue_capacity"].(map[string]any)
	workers, timeout := d.jobSettings()
	if t.state != state || t.input["process_date"] != day || capacity["workers"] != workers || capacity["timeout_minutes"] != timeout {
		return fmt.Errorf("the first Glue task was %q with %v, want %q on %s with %v workers and %v minutes", t.state, t.input, state, day, workers, timeout)
	}
	if _, cause := e.failure(); !strings.Contains(cause, glueGap) {
		return fmt.Errorf("it did not stop at the emulator's Glue gap (%q): %s", glueGap, e.describe())
	}
	return nil
}

func (r *rehearsal) runs(ctx context.Context, d *deployed) error {
	machine, err := d.named("AWS::StepFunctions::StateMachine", "StateMachine")
	if err != nil {
		return err
	}
	topic, err := d.one("AWS::SNS::Topic")
	if err != nil {
		return err
	}
	fn, err := d.one("AWS::Lambda::Function")
	if err != nil {
		return err
	}
	bucket, err := r.c.functionBucket(ctx, fn)
	if err != nil {
		return err
	}
	alerts, err := r.c.listen(ctx, topic)
	if err != nil {
		return err
	}
	daily, err := r.c.scheduler.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String("daily"), GroupName: aws.String(d.property(d.ofType("AWS::Scheduler::Schedule")[0], "GroupName"))})
	if err != nil {
		return fmt.Errorf("reading the daily schedule: %w", err)
	}
	now := time.Now().UTC()
	dailyInput := strings.ReplaceAll(aws.ToString(daily.Target.Input), "<aws.scheduler.scheduled-time>", now.Format(time.RFC3339))
	yesterday := now.AddDate(0, 0, -1).Format(time.DateOnly)
	const rawToSilver = "Raw to silver"
	allOff := map[string]bool{}
	for _, f := range layout.Flags {
		allOff[f] = false
	}
	allOffInput, _ := json.Marshal(allOff)
	rawPrefix := layout.RawPrefix(layout.DefaultSystem)
	before, err := r.c.rawObjects(ctx, bucket, rawPrefix)
	if err != nil {
		return err
	}
	stamp := now.Format("150405")
	runs := []run{
		{what: "full run: the ingest writes a raw snapshot, then Raw to silver", name: "full-" + stamp, input: `{}`, alert: true, check: func(r *rehearsal, e *execution) error {
			after, err := r.c.rawObjects(ctx, bucket, rawPrefix)
			if err != nil {
				return err
			}
			if len(after) <= len(before) {
				return fmt.Errorf("no raw snapshot written (%d objects under %s before, %d after): %s", len(before), rawPrefix, len(after), e.describe())
			}
			return stopsAtGlue(d, e, rawToSilver, now.Format(time.DateOnly))
		}},
		{what: "skip the ingest, one day", name: "day-" + stamp, input: `{"lambda_load_data": false, "process_date": "2026-12-01"}`, alert: true, check: func(_ *rehearsal, e *execution) error {
			if slices.Contains(e.entered(), ingestState) {
				return fmt.Errorf("the ingest ran: %s", e.describe())
			}
			return stopsAtGlue(d, e, rawToSilver, "2026-12-01")
		}},
		{what: "the daily schedule's stored input", name: "daily-" + stamp, input: dailyInput, alert: true, check: func(_ *rehearsal, e *execution) error {
			return stopsAtGlue(d, e, rawToSilver, yesterday)
		}},
		{what: "a typo in a flag", name: "typo-" + stamp, input: `{"lambda_laod_data": false}`, alert: true, check: invalid("lambda_laod_data")},
		{what: "every flag false", name: "off-" + stamp, input: string(allOffInput), check: func(_ *rehearsal, e *execution) error {
			if e.status != "SUCCEEDED" || len(e.glueTasks()) != 0 || slices.Contains(e.entered(), ingestState) {
				return fmt.Errorf("want SUCCEEDED with no task run: %s", e.describe())
			}
			return nil
		}},
		{what: "a quiet run's failure", name: "quiet-typo-" + stamp, input: `{"lambda_laod_data": false}`, check: invalid("lambda_laod_data")},
	}
	var failed []string
	for _, run := range runs {
		err := r.sh.step(fmt.Sprintf("execution %s (%s)", run.name, run.what), func() error {
			e, err := r.c.start(ctx, machine, run.name, run.input)
			if err != nil {
				return err
			}
			// Kept for a look: the check reads no more than this.
			history, err := json.MarshalIndent(e.events, "", " ")
			if err != nil {
				return err
			}
			if err := os.WriteFile(r.path(run.name+".history.json"), history, 0o644); err != nil {
				return err
			}
			return run.check(r, e)
		})
		if err != nil {
			return err
		}
		if run.alert {
			failed = append(failed, run.name)
		}
	}
	if err := r.sh.step("failure alerts reached the topic for each failed run, none for the quiet one", func() error {
		return alerts.expect(ctx, failed, "quiet-typo-"+stamp)
	}); err != nil {
		return err
	}
	return r.sh.step("the ingest's snapshots started no arrivals window; a file under "+layout.DefaultArrivalsPrefix+" started one, which queued its key", func() error {
		return r.checkArrivals(ctx, d, bucket)
	})
}

// invalid checks that e failed at the validation with InvalidInput
// naming key.
func invalid(key string) func(*rehearsal, *execution) error {
	return func(_ *rehearsal, e *execution) error {
		errName, cause := e.failure()
		if errName != "InvalidInput" || !strings.Contains(cause, key) || len(e.glueTasks()) != 0 || slices.Contains(e.entered(), ingestState) {
			return fmt.Errorf("want InvalidInput naming %q before any task: %s", key, e.describe())
		}
		return nil
	}
}

// An inbox is a queue subscribed to the failure topic.
type inbox struct {
	c   *clients
	url string
}

func (c *clients) listen(ctx context.Context, topic string) (*inbox, error) {
	q, err := c.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("rehearsal-alerts")})
	if err != nil {
		return nil, err
	}
	attrs, err := c.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		return nil, err
	}
	if _, err := c.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("sqs"), Endpoint: aws.String(attrs.Attributes["QueueArn"])}); err != nil {
		return nil, err
	}
	return &inbox{c: c, url: aws.ToString(q.QueueUrl)}, nil
}

// expect waits until a message names each of want, and checks none names
// never.
func (in *inbox) expect(ctx context.Context, want []string, never string) error {
	var bodies []string
	missing := func() []string {
		var m []string
		for _, w := range want {
			if !slices.ContainsFunc(bodies, func(b string) bool { return strings.Contains(b, "Execution "+w+" ") }) {
				m = append(m, w)
			}
		}
		return m
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(missing()) > 0 && time.Now().Before(deadline) {
		out, err := in.c.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(in.url), MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		if err != nil {
			return err
		}
		for _, m := range out.Messages {
			bodies = append(bodies, aws.ToString(m.Body))
		}
	}
	if m := missing(); len(m) > 0 {
		return fmt.Errorf("no alert for %v after 30 s; the topic delivered %d message(s)", m, len(bodies))
	}
	// The quiet run ended last: give its alert, if the rule let one
	// through, as long to arrive as the others took.
	out, err := in.c.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(in.url), MaxNumberOfMessages: 10, WaitTimeSeconds: 3})
	if err != nil {
		return err
	}
	for _, m := range out.Messages {
		bodies = append(bodies, aws.ToString(m.Body))
	}
	for _, b := range bodies {
		if strings.Contains(b, never) {
			return fmt.Errorf("the quiet run %s was alerted: %.200s", never, b)
		}
	}
	return nil
}
