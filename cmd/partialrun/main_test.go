package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
)

// partialrun runs a command line with connect standing for AWS and returns
// its exit status and output.
func partialrun(connect connector, args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut, connect)
	return code, out.String(), errOut.String()
}

// offline is the connector of commands that must not reach AWS.
func offline(context.Context, access, arn.ARN) (api, error) {
	return nil, errors.New("test: this command must not call AWS")
}

// expect runs partialrun with args and checks its exit status and that
// each wanted text appears in its output.
func expect(t *testing.T, connect connector, code int, stdout, stderr []string, args ...string) {
	t.Helper()
	gotCode, gotOut, gotErr := partialrun(connect, args...)
	if gotCode != code {
		t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", gotCode, code, gotOut, gotErr)
	}
	for _, want := range stdout {
		if !strings.Contains(gotOut, want) {
			t.Errorf("stdout lacks %q:\n%s", want, gotOut)
		}
	}
	for _, want := range stderr {
		if !strings.Contains(gotErr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, gotErr)
		}
	}
}

const template = "../../stacks/testdata/AWSStateFunctionPartialRuns.template.json"

func TestOffline(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout []string
		stderr []string
	}{
		{name: "help", args: []string{"--help"}, stdout: []string{"partialrun flags", "partialrun resume"}},
		{name: "no arguments: usage, exit 2", args: []string{}, code: 2, stderr: []string{"Usage:"}},
		{name: "help of a subcommand", args: []string{"plan", "-h"}, stdout: []string{"Usage:"}},
		{name: "--help of resume", args: []string{"resume", "--help"}, stdout: []string{"Usage:"}},
		{name: "an extra argument", args: []string{"plan", "--definition", template, "extra"}, code: 2, stderr: []string{`plan takes no argument, got "extra"`}},
		{name: "--only with no task", args: []string{"plan", "--definition", template, "--only", ","}, code: 2, stderr: []string{`--only needs a task or flag name, got ","`}},
		{name: "--only empty", args: []string{"plan", "--definition", template, "--only", ""}, code: 2, stderr: []string{`--only needs a task or flag name, got ""`}},
		{name: "--skip empty", args: []string{"plan", "--definition", template, "--skip", ""}, code: 2, stderr: []string{`--skip needs a task or flag name`}},
		{name: "--from empty", args: []string{"plan", "--definition", template, "--from", ""}, code: 2, stderr: []string{`--from needs a task or flag name`}},
		{name: "flags from the synthesized template", args: []string{"flags", "--definition", template},
			stdout: []string{"lambda_load_data\n  guards: Load each system\n  then:   velib_raw_to_silver, velib_silver_to_gold_avg_stats, velib_silver_to_gold_avail_percent",
				"velib_silver_to_gold_avg_stats\n  guards: Gold avg stats\n  then:   nothing"}},
		{name: "plan from silver", args: []string{"plan", "--definition", template, "--from", "Raw to silver"},
			stdout: []string{"lambda_load_data                    Load each system    skip",
				`input: {"lambda_load_data": false, "velib_raw_to_silver": true, "velib_silver_to_gold_avg_stats": true, "velib_silver_to_gold_avail_percent": true}`}},
		{name: "plan only, with a date", args: []string{"plan", "--definition", template, "--only", "velib_silver_to_gold_avg_stats", "--process-date", "2025-11-20"},
			stdout: []string{`"velib_silver_to_gold_avg_stats": true, "velib_silver_to_gold_avail_percent": false, "process_date": "2025-11-20"}`}},
		{name: "plan for some systems", args: []string{"plan", "--definition", template, "--from", "velib_raw_to_silver", "--systems", " velib "},
			stdout: []string{`"velib_silver_to_gold_avail_percent": true, "systems": ["velib"]}`}},
		{name: "unknown task", args: []string{"plan", "--definition", template, "--skip", "Gold"}, code: 1,
			stderr: []string{`unknown task or flag "Gold"; valid ones are: lambda_load_data (Load each system)`}},
		{name: "plan a backfill", args: []string{"plan", "--definition", template, "--from", "Raw to silver", "--process-date", "2025-11-01..2025-11-30"},
			stdout: []string{`"velib_silver_to_gold_avail_percent": true, "process_date": "2025-11-01..2025-11-30"}`}},
		// Every input the state machine would refuse is refused before
		// anything is printed, with its own cause and exit 2.
		{name: "a date with ingest on", args: []string{"plan", "--definition", template, "--process-date", "2025-11-20"}, code: 2,
			stderr: []string{`the state machine would fail this input with InvalidInput: process_date is given but lambda_load_data is not false`}},
		{name: "reversed range", args: []string{"plan", "--definition", template, "--from", "velib_raw_to_silver", "--process-date", "2025-11-30..2025-11-01"}, code: 2,
			stderr: []string{`process_date "2025-11-30..2025-11-01" ends before it starts`}},
		{name: "range too long", args: []string{"plan", "--definition", template, "--from", "velib_raw_to_silver", "--process-date", "2024-01-01..2025-01-01"}, code: 2,
			stderr: []string{`process_date "2024-01-01..2025-01-01" spans 367 days`}},
		{name: "bad date", args: []string{"plan", "--definition", template, "--from", "velib_raw_to_silver", "--process-date", "2025-02-30"}, code: 2,
			stderr: []string{`process_date "2025-02-30" is not a calendar date`}},
		{name: "systems twice, in capitals and unknown", args: []string{"plan", "--definition", template, "--systems", "velib,velib,VELIB,nope"}, code: 2,
			stderr: []string{`InvalidInput: systems lists "VELIB", "nope", not one of velib`}},
		{name: "systems only blank", args: []string{"plan", "--definition", template, "--systems", " , "}, code: 2,
			stderr: []string{`InvalidInput: systems lists "", "", not one of velib`}},
		{name: "systems given twice", args: []string{"plan", "--definition", template, "--systems", "velib,velib"}, code: 2,
			stderr: []string{`InvalidInput: systems lists "velib" twice`}},
		{name: "no source", args: []string{"plan"}, code: 2, stderr: []string{"--state-machine or --definition is required", "Usage:"}},
		{name: "unknown command", args: []string{"rerun"}, code: 2, stderr: []string{`unknown command "rerun"`}},
		{name: "unknown option", args: []string{"plan", "--frm", "x"}, code: 2, stderr: []string{"flag provided but not defined: -frm"}},
		{name: "malformed state machine ARN", args: []string{"start", "--state-machine", "velib-pipeline"}, code: 1,
			stderr: []string{`"velib-pipeline" is not a Step Functions stateMachine ARN`}},
		{name: "execution ARN where a state machine's is due", args: []string{"flags", "--state-machine", execARN}, code: 1,
			stderr: []string{"is not a Step Functions stateMachine ARN"}},
		{name: "malformed execution ARN", args: []string{"resume", "last-night"}, code: 1, stderr: []string{`"last-night" is not a Step Functions execution ARN`}},
		{name: "a definition without guards", args: []string{"flags", "--definition", "testdata/history-succeeded.json"}, code: 1,
			stderr: []string{"not a state machine definition"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			expect(t, offline, tc.code, tc.stdout, tc.stderr, tc.args...)
		})
	}
}

func TestAgainstTheAPI(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(f *fakeSFN)
		args    []string
		code    int
		stdout  []string
		stderr  []string
		started []string // inputs the fake was asked to start
	}{
		{name: "flags from the deployed state machine", args: []string{"flags", "--state-machine", machineARN},
			stdout: []string{"velib_raw_to_silver\n  guards: Raw to silver"}},
		{name: "start from silver", args: []string{"start", "--state-machine", machineARN, "--from", "velib_raw_to_silver"},
			stdout:  []string{"started arn:aws:states:eu-west-3:123456789012:execution:velib-pipeline:run-1", "https://eu-west-3.console.aws.amazon.com/states/home?region=eu-west-3#/v2/executions/details/"},
			started: []string{`{"lambda_load_data": false, "velib_raw_to_silver": true, "velib_silver_to_gold_avg_stats": true, "velib_silver_to_gold_avail_percent": true}`}},
		{name: "start refuses what the state machine would", args: []string{"start", "--state-machine", machineARN, "--process-date", "2025-11-20"},
			code: 2, stderr: []string{"the state machine would fail this input with InvalidInput: process_date is given but lambda_load_data is not false"}},
		{name: "start and wait, succeeded", args: []string{"start", "--state-machine", machineARN, "--wait", "--poll", "1ms"},
			setup: func(f *fakeSFN) {
				f.executions["arn:aws:states:eu-west-3:123456789012:execution:velib-pipeline:run-1"] = &execution{statuses: []string{"RUNNING", "SUCCEEDED"}, history: "history-succeeded.json"}
			},
			stdout:  []string{"running  Load data", "done     Raw to silver (8s)", "done     Gold avail percent", "succeeded"},
			started: []string{`{"lambda_load_data": true, "velib_raw_to_silver": true, "velib_silver_to_gold_avg_stats": true, "velib_silver_to_gold_avail_percent": true}`}},
		{name: "start and wait, failed", args: []string{"start", "--state-machine", machineARN, "--wait", "--poll", "1ms"},
			setup: func(f *fakeSFN) {
				f.executions["arn:aws:states:eu-west-3:123456789012:execution:velib-pipeline:run-1"] = &execution{statuses: []string{"FAILED"}, history: "history-silver-failed.json"}
			},
			code:    1,
			stdout:  []string{"failed   Raw to silver: States.TaskFailed", "FAILED at Raw to silver\n  error: States.TaskFailed\n  cause: {\"JobRunState\":\"FAILED\""},
			stderr:  []string{"the execution ended FAILED"},
			started: []string{`{"lambda_load_data": true, "velib_raw_to_silver": true, "velib_silver_to_gold_avg_stats": true, "velib_silver_to_gold_avail_percent": true}`}},
		{name: "resume after silver failed", args: []string{"resume", execARN},
			setup: func(f *fakeSFN) {
				f.executions[execARN] = &execution{statuses: []string{"FAILED"}, input: `{}`, history: "history-silver-failed.json"}
			},
			stdout: []string{"skip lambda_load_data (Load each system): completed", "run  velib_raw_to_silver (Raw to silver): did not complete"},
			// The new run processes the earlier run's day, not today's.
			started: []string{`{"lambda_load_data": false, "velib_raw_to_silver": true, "velib_silver_to_gold_avg_stats": true, "velib_silver_to_gold_avail_percent": true, "process_date": "2025-11-21"}`}},
		{name: "resume a run of some systems: the same systems", args: []string{"resume", execARN},
			setup: func(f *fakeSFN) {
				f.executions[execARN] = &execution{statuses: []string{"FAILED"}, input: `{"systems": ["citybikes"]}`, history: "history-silver-failed.json"}
			},
			started: []string{`{"lambda_load_data": false, "velib_raw_to_silver": true, "velib_silver_to_gold_avg_stats": true, "velib_silver_to_gold_avail_percent": true, "process_date": "2025-11-21", "systems": ["citybikes"]}`}},
		{name: "resume after one gold branch failed, dry run", args: []string{"resume", execARN, "--dry-run"},
			setup: func(f *fakeSFN) {
				f.executions[execARN] = &execution{statuses: []string{"FAILED"}, input: `{"process_date": "2025-11-19"}`, history: "history-gold-branch-failed.json"}
			},
			stdout: []string{"skip velib_silver_to_gold_avg_stats (Gold avg stats): completed", `"velib_silver_to_gold_avail_percent": true, "process_date": "2025-11-19"}`}},
		{name: "resume a run that succeeded", args: []string{"resume", execARN},
			setup: func(f *fakeSFN) {
				f.executions[execARN] = &execution{statuses: []string{"SUCCEEDED"}, input: `{}`, history: "history-succeeded.json"}
			},
			stdout: []string{"nothing left to run"}},
		{name: "resume a past day whose ingest failed, leaving the fetch out", args: []string{"resume", execARN, "--skip", "lambda_load_data", "--dry-run"},
			setup: func(f *fakeSFN) {
				f.executions[execARN] = &execution{statuses: []string{"FAILED"}, input: `{}`, history: "history-ingest-failed.json"}
			},
			stdout: []string{"skip lambda_load_data (Load each system): --skip", "run  velib_raw_to_silver (Raw to silver): did not complete",
				`input: {"lambda_load_data": false, "velib_raw_to_silver": true, "velib_silver_to_gold_avg_stats": true, "velib_silver_to_gold_avail_percent": true, "process_date": "2025-11-21"}`}},
		{name: "resume a past day whose ingest failed: refused, the fetch cannot be redone", args: []string{"resume", execARN, "--dry-run"}, code: 1,
			setup: func(f *fakeSFN) {
				f.executions[execARN] = &execution{statuses: []string{"FAILED"}, input: `{}`, history: "history-ingest-failed.json"}
			},
			stderr: []string{"processed 2025-11-21, a past day, and its Load each system did not complete: a past snapshot cannot be fetched",
				"--skip lambda_load_data"}},
		{name: "resume after midnight: the date the ingest recorded, not the start date", args: []string{"resume", execARN, "--dry-run"},
			setup: func(f *fakeSFN) {
				f.executions[execARN] = &execution{statuses: []string{"FAILED"}, input: `{}`, history: "history-midnight-silver-failed.json"}
			},
			stdout: []string{"skip lambda_load_data (Load each system): completed", `"process_date": "2025-11-22"}`}},
		{name: "resume --skip with no task", args: []string{"resume", execARN, "--skip", ""}, code: 2, stderr: []string{"--skip needs a task or flag name"}},
		{name: "resume a backfill: the same range", args: []string{"resume", execARN, "--dry-run"},
			setup: func(f *fakeSFN) {
				f.executions[execARN] = &execution{statuses: []string{"FAILED"}, input: `{"lambda_load_data": false, "process_date": "2025-11-01..2025-11-30"}`, history: "history-silver-failed.json"}
			},
			stdout: []string{"skip lambda_load_data (Load each system): switched off in the earlier input", `"process_date": "2025-11-01..2025-11-30"}`}},
		{name: "resume keeps switched-off tasks off", args: []string{"resume", execARN, "--dry-run"},
			setup: func(f *fakeSFN) {
				f.executions[execARN] = &execution{statuses: []string{"FAILED"}, input: `{"lambda_load_data": false, "velib_raw_to_silver": false}`, history: "history-silver-failed.json"}
			},
			stdout: []string{"skip velib_raw_to_silver (Raw to silver): switched off in the earlier input"}},
		{name: "start and wait, a Parallel branch fails while the other runs", args: []string{"start", "--state-machine", machineARN, "--wait", "--poll", "1ms"},
			setup: func(f *fakeSFN) {
				f.executions["arn:aws:states:eu-west-3:123456789012:execution:velib-pipeline:run-1"] = &execution{statuses: []string{"FAILED"}, history: "history-gold-interleaved.json"}
			},
			code:    1,
			stdout:  []string{"failed   Gold avail percent: States.TaskFailed", "FAILED at Gold avail percent"},
			started: []string{`{"lambda_load_data": true, "velib_raw_to_silver": true, "velib_silver_to_gold_avg_stats": true, "velib_silver_to_gold_avail_percent": true}`}},
		{name: "resume an execution whose input was invalid", args: []string{"resume", execARN}, code: 1,
			setup: func(f *fakeSFN) {
				f.executions[execARN] = &execution{statuses: []string{"FAILED"}, input: `{"lambda_laod_data": false}`, history: "history-succeeded.json",
					err: "InvalidInput", cause: `unknown key(s) "lambda_laod_data"`}
			},
			stderr: []string{"failed because its input was invalid, so nothing ran and there is nothing to resume", `unknown key(s) "lambda_laod_data"`}},
		{name: "resume a running execution", args: []string{"resume", execARN}, code: 1,
			setup:  func(f *fakeSFN) { f.executions[execARN] = &execution{statuses: []string{"RUNNING"}, input: `{}`} },
			stderr: []string{"is still running: wait for it to end, or stop it, before resuming"}},
		{name: "resume an execution that does not exist", args: []string{"resume", execARN}, code: 1,
			stderr: []string{"ExecutionDoesNotExist"}},
		{name: "redrive", args: []string{"redrive", execARN},
			setup:  func(f *fakeSFN) { f.executions[execARN] = &execution{statuses: []string{"FAILED"}} },
			stdout: []string{"redriven " + execARN}},
		{name: "redrive refused", args: []string{"redrive", execARN}, code: 1,
			setup: func(f *fakeSFN) {
				f.executions[execARN] = &execution{statuses: []string{"FAILED"}, redrive: true}
			},
			stderr: []string{"cannot be redriven: Execution cannot be redriven: the definition was updated", "partialrun resume " + execARN}},
		{name: "unknown state machine", args: []string{"flags", "--state-machine", machineARN + "-old"}, code: 1,
			stderr: []string{"StateMachineDoesNotExist"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			if tc.setup != nil {
				tc.setup(f)
			}
			expect(t, f.connect, tc.code, tc.stdout, tc.stderr, tc.args...)
			var started []string
			for _, s := range f.started {
				if aws.ToString(s.StateMachineArn) != machineARN {
					t.Errorf("started on %s", aws.ToString(s.StateMachineArn))
				}
				started = append(started, aws.ToString(s.Input))
			}
			if strings.Join(started, "\n") != strings.Join(tc.started, "\n") {
				t.Errorf("started %q, want %q", started, tc.started)
			}
		})
	}
}

// TestMissingCredentials runs the real SDK connector with no credentials
// anywhere, and an instance metadata service (on loopback) that refuses,
// as one does off EC2: one clear line, without the SDK's warnings first.
func TestMissingCredentials(t *testing.T) {
	for _, v := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"} {
		t.Setenv(v, "")
	}
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	imds := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			w.WriteHeader(http.StatusForbidden) // no IMDSv2 token: the SDK warns and falls back
			return
		}
		http.NotFound(w, r)
	}))
	defer imds.Close()
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.URL)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "false")
	// The SDK's default logger writes to the process's stderr directly.
	sdkOut := captureStderr(t)
	code, stdout, stderr := partialrun(connectAWS, "flags", "--state-machine", machineARN)
	stderr = sdkOut() + stderr
	if code != 1 || !strings.Contains(stderr, "no AWS credentials found: set AWS_PROFILE or pass --profile") {
		t.Errorf("exit %d, stderr %s", code, stderr)
	}
	if lines := strings.Count(stdout+stderr, "\n"); lines != 1 {
		t.Errorf("printed %d lines, want 1:\n%s%s", lines, stdout, stderr)
	}
}

// captureStderr points os.Stderr at a pipe until the returned function
// restores it and returns what was written.
func captureStderr(t *testing.T) func() string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stderr
	os.Stderr = w
	return func() string {
		os.Stderr = saved
		w.Close()
		b, _ := io.ReadAll(r)
		return string(b)
	}
}
