package rehearse

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/partialruns/velib-pipeline/internal/layout"
)

// EventRuns is the context the rehearsal deploys with: event runs on, so
// that the emulator's EventBridge, which carries S3's events, shows which
// writes start a window.
const EventRuns = `eventRuns={"enabled":true}`

// windowState is the window's state that queues the arrival's key, the
// first one a window started by S3's event enters after "Handed over?".
const windowState = "Queue the arrival"

// checkArrivals checks, after the runs, that the bucket sends its events to
// EventBridge, that the ingest's snapshots (written by the full run)
// started no window, and that a file put under the arrivals prefix starts
// one, whose event names the file and which queues its key.
func (r *rehearsal) checkArrivals(ctx context.Context, d *deployed, bucket string) error {
	window, err := d.named("AWS::StepFunctions::StateMachine", "ArrivalsWindow")
	if err != nil {
		return err
	}
	n, err := r.c.s3.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(bucket)})
	if err != nil {
		return err
	}
	if n.EventBridgeConfiguration == nil {
		return fmt.Errorf("bucket %s does not send its events to EventBridge", bucket)
	}
	if started, err := r.c.windows(ctx, window); err != nil {
		return err
	} else if len(started) > 0 {
		return fmt.Errorf("the ingest's writes started %d window(s): %v", len(started), started)
	}
	key := layout.DefaultArrivalsPrefix + layout.DefaultSystem + "/dt=" + time.Now().UTC().Format(time.DateOnly) + "/partner copy 1%.json"
	if _, err := r.c.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader("{}")}); err != nil {
		return err
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		started, err := r.c.windows(ctx, window)
		if err != nil {
			return err
		}
		if len(started) > 1 {
			return fmt.Errorf("one file started %d windows", len(started))
		}
		if len(started) == 1 {
			return r.c.queued(ctx, started[0], key, deadline)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no window started for %s within 20 s", key)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// windows lists the window's executions.
func (c *clients) windows(ctx context.Context, window string) ([]string, error) {
	out, err := c.sfn.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(window)})
	if err != nil {
		return nil, err
	}
	var arns []string
	for _, e := range out.Executions {
		arns = append(arns, aws.ToString(e.ExecutionArn))
	}
	return arns, nil
}

// queued checks that the window execution got the event for key and that
// it has queued the key, by deadline.
func (c *clients) queued(ctx context.Context, arn, key string, deadline time.Time) error {
	d, err := c.sfn.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
	if err != nil {
		return err
	}
	var event struct {
		Detail struct {
			Object struct{ Key string }
		}
	}
	if err := json.Unmarshal([]byte(aws.ToString(d.Input)), &event); err != nil {
		return fmt.Errorf("the window's input is not an event: %w", err)
	}
	if event.Detail.Object.Key != key {
		return fmt.Errorf("the window's event names %q, not %q", event.Detail.Object.Key, key)
	}
	for {
		h, err := c.sfn.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn)})
		if err != nil {
			return err
		}
		for _, e := range h.Events {
			if e.Type == sfntypes.HistoryEventTypeTaskStateExited && e.StateExitedEventDetails != nil &&
				aws.ToString(e.StateExitedEventDetails.Name) == windowState {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the window did not get past %q", windowState)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
