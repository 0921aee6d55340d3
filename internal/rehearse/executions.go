package rehearse

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// An execution is one run of the state machine on the emulator.
type execution struct {
	name   string
	status sfntypes.ExecutionStatus
	events []sfntypes.HistoryEvent
}

// start runs the state machine with input and waits for it to end.
func (c *clients) start(ctx context.Context, machine, name, input string) (*execution, error) {
	out, err := c.sfn.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(machine), Name: aws.String(name), Input: aws.String(input)})
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(3 * time.Minute)
	for {
		d, err := c.sfn.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: out.ExecutionArn})
		if err != nil {
			return nil, err
		}
		if d.Status != sfntypes.ExecutionStatusRunning {
			e := &execution{name: name, status: d.Status}
			p := sfn.NewGetExecutionHistoryPaginator(c.sfn, &sfn.GetExecutionHistoryInput{ExecutionArn: out.ExecutionArn})
			for p.HasMorePages() {
				page, err := p.NextPage(ctx)
				if err != nil {
					return nil, err
				}
				e.events = append(e.events, page.Events...)
			}
			return e, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("execution %s still running after 3 minutes", name)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// failure is the execution's error and cause, if it failed.
func (e *execution) failure() (string, string) {
	for _, ev := range e.events {
		if d := ev.ExecutionFailedEventDetails; d != nil {
			return aws.ToString(d.Error), aws.ToString(d.Cause)
		}
	}
	return "", ""
}

// entered lists the states the execution entered, in order.
func (e *execution) entered() []string {
	var names []string
	for _, ev := range e.events {
		if d := ev.StateEnteredEventDetails; d != nil {
			names = append(names, aws.ToString(d.Name))
		}
	}
	return names
}

// glueTasks lists the Glue tasks the execution started: each state's name
// and its input. MiniStack's TaskScheduled events carry no parameters (a
// gap), so a task's arguments are read from the input its state entered
// with, from which the definition computes them.
func (e *execution) glueTasks() []glueTask {
	var tasks []glueTask
	var last glueTask
	for _, ev := range e.events {
		if d := ev.StateEnteredEventDetails; d != nil && ev.Type == sfntypes.HistoryEventTypeTaskStateEntered {
			last = glueTask{state: aws.ToString(d.Name)}
			json.Unmarshal([]byte(aws.ToString(d.Input)), &last.input)
		}
		if d := ev.TaskScheduledEventDetails; d != nil && strings.Contains(aws.ToString(d.Resource), ":glue:startJobRun") {
			tasks = append(tasks, last)
		}
	}
	return tasks
}

// A glueTask is a Task state that started a Glue job run.
type glueTask struct {
	state string
	input map[string]any
}

// describe is a one-line account of the execution, for messages.
func (e *execution) describe() string {
	errName, cause := e.failure()
	s := fmt.Sprintf("%s: %s through %s", e.name, e.status, strings.Join(e.entered(), " → "))
	if errName != "" {
		s += fmt.Sprintf("; %s: %.300s", errName, cause)
	}
	return s
}

// rawObjects lists the keys under prefix in bucket.
func (c *clients) rawObjects(ctx context.Context, bucket, prefix string) ([]string, error) {
	var keys []string
	p := s3.NewListObjectsV2Paginator(c.s3, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	return keys, nil
}

// functionBucket is the bucket the function writes to (its BUCKET).
func (c *clients) functionBucket(ctx context.Context, fn string) (string, error) {
	out, err := c.lambda.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(fn)})
	if err != nil {
		return "", err
	}
	if out.Environment == nil || out.Environment.Variables["BUCKET"] == "" {
		return "", fmt.Errorf("function %s has no BUCKET", fn)
	}
	return out.Environment.Variables["BUCKET"], nil
}
