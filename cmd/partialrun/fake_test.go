package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/partialruns/velib-pipeline/constructs/skippable/render"
)

const (
	machineARN = "arn:aws:states:eu-west-3:123456789012:stateMachine:velib-pipeline"
	execARN    = "arn:aws:states:eu-west-3:123456789012:execution:velib-pipeline:last-night"
)

// startDate is when the canned executions started: 2025-11-21T23:50:00Z.
var startDate = time.Unix(1763769000, 0).UTC()

// execution is what the fake knows of one execution.
type execution struct {
	statuses []string // returned by successive DescribeExecution calls; the last repeats
	input    string
	history  string // a testdata file shaped like GetExecutionHistory output
	redrive  bool   // RedriveExecution refuses it
	// err and cause are how it failed, if it did.
	err, cause string
}

// fakeSFN stands in for the Step Functions client at partialrun's api
// interface: it serves the real synthesized definition and canned
// executions, and records what it was asked to start.
type fakeSFN struct {
	t          *testing.T
	definition string
	mu         sync.Mutex
	executions map[string]*execution
	started    []*sfn.StartExecutionInput
}

func newFake(t *testing.T) *fakeSFN {
	t.Helper()
	tpl, err := os.ReadFile(template)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(tpl, &doc); err != nil {
		t.Fatal(err)
	}
	f := &fakeSFN{t: t, executions: map[string]*execution{}}
	if f.definition, err = render.FromTemplate(doc); err != nil {
		t.Fatal(err)
	}
	return f
}

// connect is the fake's connector: every region reaches the same fake.
func (f *fakeSFN) connect(context.Context, access, arn.ARN) (api, error) { return f, nil }

func (f *fakeSFN) DescribeStateMachine(_ context.Context, in *sfn.DescribeStateMachineInput, _ ...func(*sfn.Options)) (*sfn.DescribeStateMachineOutput, error) {
	if aws.ToString(in.StateMachineArn) != machineARN {
		return nil, &types.StateMachineDoesNotExist{Message: aws.String("State Machine Does Not Exist: '" + aws.ToString(in.StateMachineArn) + "'")}
	}
	return &sfn.DescribeStateMachineOutput{StateMachineArn: in.StateMachineArn, Name: aws.String("velib-pipeline"),
		Definition: aws.String(f.definition), Type: types.StateMachineTypeStandard, CreationDate: &startDate}, nil
}

func (f *fakeSFN) StartExecution(_ context.Context, in *sfn.StartExecutionInput, _ ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.started = append(f.started, in)
	name := fmt.Sprintf("arn:aws:states:eu-west-3:123456789012:execution:velib-pipeline:run-%d", len(f.started))
	if _, ok := f.executions[name]; !ok {
		f.executions[name] = &execution{statuses: []string{"SUCCEEDED"}, history: "history-succeeded.json"}
	}
	f.executions[name].input = aws.ToString(in.Input)
	started := startDate.Add(24 * time.Hour)
	return &sfn.StartExecutionOutput{ExecutionArn: aws.String(name), StartDate: &started}, nil
}

func (f *fakeSFN) find(executionARN *string) (*execution, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if e, ok := f.executions[aws.ToString(executionARN)]; ok {
		return e, nil
	}
	return nil, &types.ExecutionDoesNotExist{Message: aws.String("Execution Does Not Exist: '" + aws.ToString(executionARN) + "'")}
}

func (f *fakeSFN) DescribeExecution(_ context.Context, in *sfn.DescribeExecutionInput, _ ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error) {
	e, err := f.find(in.ExecutionArn)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	status := e.statuses[0]
	if len(e.statuses) > 1 {
		e.statuses = e.statuses[1:]
	}
	f.mu.Unlock()
	return &sfn.DescribeExecutionOutput{ExecutionArn: in.ExecutionArn, StateMachineArn: aws.String(machineARN), Name: aws.String("x"),
		Status: types.ExecutionStatus(status), StartDate: &startDate, Input: aws.String(e.input),
		Error: optional(e.err), Cause: optional(e.cause)}, nil
}

func (f *fakeSFN) GetExecutionHistory(_ context.Context, in *sfn.GetExecutionHistoryInput, _ ...func(*sfn.Options)) (*sfn.GetExecutionHistoryOutput, error) {
	e, err := f.find(in.ExecutionArn)
	if err != nil {
		return nil, err
	}
	return &sfn.GetExecutionHistoryOutput{Events: loadHistory(f.t, e.history)}, nil
}

func (f *fakeSFN) RedriveExecution(_ context.Context, in *sfn.RedriveExecutionInput, _ ...func(*sfn.Options)) (*sfn.RedriveExecutionOutput, error) {
	e, err := f.find(in.ExecutionArn)
	if err != nil {
		return nil, err
	}
	if e.redrive {
		return nil, &types.ExecutionNotRedrivable{Message: aws.String("Execution cannot be redriven: the definition was updated")}
	}
	redriven := startDate.Add(time.Hour)
	return &sfn.RedriveExecutionOutput{RedriveDate: &redriven}, nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

// loadHistory reads a testdata file shaped like the API's
// GetExecutionHistory answer, whose timestamps are epoch seconds.
func loadHistory(t *testing.T, name string) []types.HistoryEvent {
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var page struct{ Events []map[string]any }
	if err := json.Unmarshal(b, &page); err != nil {
		t.Fatal(err)
	}
	events := make([]types.HistoryEvent, len(page.Events))
	for i, raw := range page.Events {
		seconds, _ := raw["timestamp"].(float64)
		delete(raw, "timestamp")
		b, _ := json.Marshal(raw)
		if err := json.Unmarshal(b, &events[i]); err != nil {
			t.Fatalf("%s: event %d: %v", name, i, err)
		}
		at := time.Unix(0, int64(seconds*float64(time.Second))).UTC()
		events[i].Timestamp = &at
	}
	return events
}
