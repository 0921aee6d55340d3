package main

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/glue/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeGlue records the run started and answers GetJobRun with states in
// turn.
type fakeGlue struct {
	started *glue.StartJobRunInput
	region  string
	states  []types.JobRunState
	message string
}

func (f *fakeGlue) StartJobRun(_ context.Context, in *glue.StartJobRunInput, _ ...func(*glue.Options)) (*glue.StartJobRunOutput, error) {
	f.started = in
	return &glue.StartJobRunOutput{JobRunId: aws.String("jr_1")}, nil
}

func (f *fakeGlue) GetJobRun(_ context.Context, in *glue.GetJobRunInput, _ ...func(*glue.Options)) (*glue.GetJobRunOutput, error) {
	state := f.states[0]
	if len(f.states) > 1 {
		f.states = f.states[1:]
	}
	return &glue.GetJobRunOutput{JobRun: &types.JobRun{JobRunState: state, ErrorMessage: aws.String(f.message)}}, nil
}

const undoARN = "arn:aws:states:eu-west-3:123456789012:execution:velib-pipeline:bad-run"

func TestUndo(t *testing.T) {
	for _, c := range []struct {
		name    string
		args    []string
		states  []types.JobRunState
		message string
		force   string
		out     []string
		err     string
		usage   bool
	}{
		{name: "starts the maintenance job", args: []string{undoARN, "--job", "velib-maintenance"}, force: "false",
			out: []string{"started velib-maintenance run jr_1 to undo " + undoARN, "eu-west-3.console.aws.amazon.com"}},
		{name: "forced, waited for", args: []string{undoARN, "--job", "velib-maintenance", "--force", "--wait", "--poll", "1ms"}, force: "true",
			states: []types.JobRunState{types.JobRunStateRunning, types.JobRunStateSucceeded}, out: []string{"undone: the run succeeded"}},
		{name: "the job refuses", args: []string{undoARN, "--job", "velib-maintenance", "--wait", "--poll", "1ms"}, force: "false",
			states: []types.JobRunState{types.JobRunStateFailed}, message: "velib_maintenance: undoing x would also undo what later commits wrote",
			err: "the undo run ended FAILED: velib_maintenance: undoing x would also undo"},
		{name: "no execution", args: []string{"--job", "j"}, err: "undo takes one execution ARN", usage: true},
		{name: "no job", args: []string{undoARN}, err: "--job is required", usage: true},
		{name: "not an execution", args: []string{"arn:aws:states:eu-west-3:1:stateMachine:m", "--job", "j"}, err: "is not a Step Functions execution ARN"},
	} {
		t.Run(c.name, func(t *testing.T) {
			fake := &fakeGlue{states: c.states, message: c.message}
			connect := func(_ context.Context, _ access, region string) (glueAPI, error) {
				fake.region = region
				return fake, nil
			}
			var out bytes.Buffer
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			err := undo(ctx, c.args, &out, connect)
			if c.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), c.err)
				assert.Equal(t, c.usage, errors.Is(err, errUsage))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "eu-west-3", fake.region, "the execution's region")
			assert.Equal(t, "velib-maintenance", aws.ToString(fake.started.JobName))
			assert.Equal(t, map[string]string{"--action": "undo", "--execution_id": undoARN, "--force": c.force}, fake.started.Arguments)
			for _, s := range c.out {
				assert.Contains(t, out.String(), s)
			}
		})
	}
}
