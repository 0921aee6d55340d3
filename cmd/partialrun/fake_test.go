package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/partialruns/velib-pipeline/internal/asl"
)

const (
	machineARN = "arn:aws:states:eu-west-3:123456789012:stateMachine:velib-pipeline"
	execARN    = "arn:aws:states:eu-west-3:123456789012:execution:velib-pipeline:last-night"
	startDate  = 1763769000.0 // 2025-11-21T23:50:00Z
)

// execution is what the fake knows of one execution.
type execution struct {
	statuses []string // returned by successive DescribeExecution calls; the last repeats
	input    string
	history  string // a testdata file shaped like GetExecutionHistory output
	redrive  string // an error type RedriveExecution answers, if any
}

// fakeSFN speaks the Step Functions JSON protocol (awsJson1_0) on a local
// port, enough for partialrun: it serves the real synthesized definition and
// canned executions, and records what it was asked to start.
type fakeSFN struct {
	t          *testing.T
	definition string
	mu         sync.Mutex
	executions map[string]*execution
	started    []map[string]string
	calls      []string
}

func newFake(t *testing.T) *fakeSFN {
	t.Helper()
	tpl, err := os.ReadFile("../../stacks/testdata/AWSStateFunctionPartialRuns.template.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(tpl, &doc); err != nil {
		t.Fatal(err)
	}
	f := &fakeSFN{t: t, executions: map[string]*execution{}}
	if f.definition, err = asl.FromTemplate(doc); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	// The SDK's own configuration: endpoint and static credentials from
	// the environment, and nothing from the user's files.
	t.Setenv("AWS_ENDPOINT_URL", srv.URL)
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	return f
}

func (f *fakeSFN) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AWSStepFunctions.")
	f.calls = append(f.calls, op)
	var req map[string]any
	body, _ := io.ReadAll(r.Body)
	_ = json.Unmarshal(body, &req)
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	str := func(k string) string { s, _ := req[k].(string); return s }
	exec := f.executions[str("executionArn")]
	switch op {
	case "DescribeStateMachine":
		if str("stateMachineArn") != machineARN {
			f.fail(w, "StateMachineDoesNotExist", "State Machine Does Not Exist: '"+str("stateMachineArn")+"'")
			return
		}
		f.reply(w, map[string]any{"stateMachineArn": machineARN, "name": "velib-pipeline", "definition": f.definition,
			"roleArn": "arn:aws:iam::123456789012:role/sm", "type": "STANDARD", "creationDate": startDate})
	case "StartExecution":
		f.started = append(f.started, map[string]string{"stateMachineArn": str("stateMachineArn"), "input": str("input")})
		arn := fmt.Sprintf("arn:aws:states:eu-west-3:123456789012:execution:velib-pipeline:run-%d", len(f.started))
		if _, ok := f.executions[arn]; !ok {
			f.executions[arn] = &execution{statuses: []string{"SUCCEEDED"}, history: "history-succeeded.json"}
		}
		f.executions[arn].input = str("input")
		f.reply(w, map[string]any{"executionArn": arn, "startDate": startDate + 86400})
	case "DescribeExecution", "GetExecutionHistory", "RedriveExecution":
		if exec == nil {
			f.fail(w, "ExecutionDoesNotExist", "Execution Does Not Exist: '"+str("executionArn")+"'")
			return
		}
		switch op {
		case "DescribeExecution":
			status := exec.statuses[0]
			if len(exec.statuses) > 1 {
				exec.statuses = exec.statuses[1:]
			}
			f.reply(w, map[string]any{"executionArn": str("executionArn"), "stateMachineArn": machineARN, "name": "x",
				"status": status, "startDate": startDate, "input": exec.input})
		case "GetExecutionHistory":
			b, err := os.ReadFile("testdata/" + exec.history)
			if err != nil {
				f.t.Error(err)
			}
			w.Write(b)
		case "RedriveExecution":
			if exec.redrive != "" {
				f.fail(w, exec.redrive, "Execution cannot be redriven: the definition was updated")
				return
			}
			f.reply(w, map[string]any{"redriveDate": startDate + 3600})
		}
	default:
		f.fail(w, "UnknownOperationException", op)
	}
}

func (f *fakeSFN) reply(w http.ResponseWriter, v any) {
	if err := json.NewEncoder(w).Encode(v); err != nil {
		f.t.Error(err)
	}
}

func (f *fakeSFN) fail(w http.ResponseWriter, errType, msg string) {
	w.WriteHeader(http.StatusBadRequest)
	f.reply(w, map[string]any{"__type": "com.amazonaws.states#" + errType, "message": msg})
}
