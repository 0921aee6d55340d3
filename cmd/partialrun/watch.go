package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// errExecutionFailed makes the command exit 1 after the failure was shown.
type errExecutionFailed struct{ status types.ExecutionStatus }

func (e errExecutionFailed) Error() string { return fmt.Sprintf("the execution ended %s", e.status) }

// watch follows an execution until it ends: one line per task started,
// finished or failed, then the outcome. A failed execution is an error
// after its failed state, error and cause are printed.
func watch(ctx context.Context, client api, execution string, poll time.Duration, out io.Writer) error {
	seen := 0
	started := map[string]time.Time{}
	var failedState, errName, cause string
	for {
		events, err := history(ctx, client, execution)
		if err != nil {
			return err
		}
		for _, e := range events[seen:] {
			at := aws.ToTime(e.Timestamp)
			switch e.Type {
			case types.HistoryEventTypeTaskStateEntered:
				name := aws.ToString(e.StateEnteredEventDetails.Name)
				started[name] = at
				fmt.Fprintf(out, "%s  running  %s\n", at.UTC().Format(time.TimeOnly), name)
			case types.HistoryEventTypeTaskStateExited:
				name := aws.ToString(e.StateExitedEventDetails.Name)
				fmt.Fprintf(out, "%s  done     %s (%s)\n", at.UTC().Format(time.TimeOnly), name, at.Sub(started[name]).Round(time.Second))
			case types.HistoryEventTypeTaskFailed:
				failedState = owningTask(events, e)
				errName, cause = aws.ToString(e.TaskFailedEventDetails.Error), aws.ToString(e.TaskFailedEventDetails.Cause)
				fmt.Fprintf(out, "%s  failed   %s: %s\n", at.UTC().Format(time.TimeOnly), failedState, errName)
			case types.HistoryEventTypeExecutionFailed:
				if errName == "" {
					errName, cause = aws.ToString(e.ExecutionFailedEventDetails.Error), aws.ToString(e.ExecutionFailedEventDetails.Cause)
				}
			}
			seen++
		}
		desc, err := client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(execution)})
		if err != nil {
			return explain(err)
		}
		switch desc.Status {
		case types.ExecutionStatusRunning, types.ExecutionStatusPendingRedrive:
		case types.ExecutionStatusSucceeded:
			fmt.Fprintln(out, "succeeded")
			return nil
		default:
			if failedState == "" {
				failedState = "(the execution itself)"
			}
			fmt.Fprintf(out, "%s at %s\n  error: %s\n  cause: %s\n", desc.Status, failedState, errName, cause)
			return errExecutionFailed{desc.Status}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(poll):
		}
	}
}

// owningTask is the Task state an event belongs to. Parallel branches
// interleave their events, so the most recent task entered may be another
// branch's: follow previousEventId back to the task's entry instead.
func owningTask(events []types.HistoryEvent, e types.HistoryEvent) string {
	byID := make(map[int64]types.HistoryEvent, len(events))
	for _, ev := range events {
		byID[ev.Id] = ev
	}
	for seen := 0; seen <= len(events); seen++ {
		if e.Type == types.HistoryEventTypeTaskStateEntered && e.StateEnteredEventDetails != nil {
			return aws.ToString(e.StateEnteredEventDetails.Name)
		}
		prev, ok := byID[e.PreviousEventId]
		if !ok {
			return ""
		}
		e = prev
	}
	return ""
}

// history reads the whole history of an execution, page by page.
func history(ctx context.Context, client api, execution string) ([]types.HistoryEvent, error) {
	var events []types.HistoryEvent
	pages := sfn.NewGetExecutionHistoryPaginator(client, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(execution), IncludeExecutionData: aws.Bool(false)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, explain(err)
		}
		events = append(events, page.Events...)
	}
	return events, nil
}
