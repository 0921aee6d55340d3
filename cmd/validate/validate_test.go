package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// fakeSFN answers ValidateStateMachineDefinition with a fixed output and
// records the definitions it was sent.
type fakeSFN struct {
	out  *sfn.ValidateStateMachineDefinitionOutput
	err  error
	sent []string
}

func (f *fakeSFN) ValidateStateMachineDefinition(_ context.Context, in *sfn.ValidateStateMachineDefinitionInput, _ ...func(*sfn.Options)) (*sfn.ValidateStateMachineDefinitionOutput, error) {
	f.sent = append(f.sent, aws.ToString(in.Definition))
	return f.out, f.err
}

const template = `{"Resources": {
	"Machine": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {"DefinitionString": {"Fn::Join": ["", [
		"{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Task\",\"Resource\":\"arn:", {"Ref": "AWS::Partition"}, ":states:::lambda:invoke\",\"End\":true}}}"]]}}},
	"Bucket": {"Type": "AWS::S3::Bucket"}}}`

func writeTemplate(t *testing.T, body string) string {
	path := filepath.Join(t.TempDir(), "template.json")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRun(t *testing.T) {
	ok := &sfn.ValidateStateMachineDefinitionOutput{Result: types.ValidateStateMachineDefinitionResultCodeOk}
	warned := &sfn.ValidateStateMachineDefinitionOutput{Result: types.ValidateStateMachineDefinitionResultCodeOk, Diagnostics: []types.ValidateStateMachineDefinitionDiagnostic{
		{Severity: types.ValidateStateMachineDefinitionSeverityWarning, Code: aws.String("NO_DOLLAR"), Location: aws.String("/States/A"), Message: aws.String("a warning")},
	}}
	refused := &sfn.ValidateStateMachineDefinitionOutput{Result: types.ValidateStateMachineDefinitionResultCodeFail, Diagnostics: []types.ValidateStateMachineDefinitionDiagnostic{
		{Severity: types.ValidateStateMachineDefinitionSeverityError, Code: aws.String("UNSUPPORTED_JSONATA_EXPRESSION"), Location: aws.String("/States/A/Output"), Message: aws.String("Reference to 'x' at the top level is not supported")},
	}}
	tests := []struct {
		name    string
		args    []string
		fake    *fakeSFN
		connErr error
		code    int
		stdout  []string
		stderr  []string
	}{
		{name: "accepted", fake: &fakeSFN{out: ok}, code: exitOK, stdout: []string{"Machine: ValidateStateMachineDefinition (eu-west-3): OK, 0 diagnostic(s)"}},
		{name: "a warning is shown but does not fail", fake: &fakeSFN{out: warned}, code: exitOK, stdout: []string{"WARNING NO_DOLLAR at /States/A: a warning"}},
		{name: "refused", fake: &fakeSFN{out: refused}, code: exitInvalid,
			stdout: []string{"FAIL, 1 diagnostic(s)", "ERROR   UNSUPPORTED_JSONATA_EXPRESSION at /States/A/Output: Reference to 'x' at the top level is not supported"}},
		{name: "API error", fake: &fakeSFN{err: errors.New("AccessDeniedException: not allowed")}, code: exitInvalid, stderr: []string{"Machine: AccessDeniedException"}},
		{name: "no credentials: skipped in one line", connErr: errNoCredentials, code: exitOK, stdout: []string{"validate: skipped: no AWS credentials"}},
		{name: "no credentials when required", args: []string{"-require-credentials"}, connErr: errNoCredentials, code: exitNoCredentials, stderr: []string{"validate: no AWS credentials found: set AWS_PROFILE"}},
		{name: "credentials only, none", args: []string{"-credentials-only", "-template", "/nonexistent.json"}, connErr: errNoCredentials, code: exitNoCredentials, stderr: []string{"validate: no AWS credentials found: set AWS_PROFILE"}},
		{name: "credentials only, found", args: []string{"-credentials-only", "-template", "/nonexistent.json"}, code: exitOK},
		{name: "extra argument", args: []string{"extra"}, code: exitUsage, stderr: []string{`unexpected argument "extra"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			connect := func(context.Context, string, string) (validator, string, error) {
				if tc.connErr != nil {
					return nil, "", tc.connErr
				}
				return tc.fake, "eu-west-3", nil
			}
			args := append([]string{"-template", writeTemplate(t, template)}, tc.args...)
			if code := run(context.Background(), args, &stdout, &stderr, connect); code != tc.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, &stdout, &stderr)
			}
			for _, want := range tc.stdout {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("stdout %q does not contain %q", &stdout, want)
				}
			}
			for _, want := range tc.stderr {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr %q does not contain %q", &stderr, want)
				}
			}
			if tc.connErr == nil && tc.fake != nil {
				if len(tc.fake.sent) != 1 || !strings.Contains(tc.fake.sent[0], `"Resource":"arn:aws:states:::lambda:invoke"`) {
					t.Errorf("sent %q, want the flattened definition", tc.fake.sent)
				}
			}
			if lines := strings.Count(stdout.String()+stderr.String(), "\n"); tc.connErr != nil && lines != 1 {
				t.Errorf("printed %d lines without credentials, want 1", lines)
			}
		})
	}
}

func TestRunBadTemplate(t *testing.T) {
	for name, body := range map[string]string{
		"not JSON":         "{",
		"no state machine": `{"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}}}`,
	} {
		t.Run(name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			connect := func(context.Context, string, string) (validator, string, error) {
				t.Fatal("must not reach AWS with a bad template")
				return nil, "", nil
			}
			if code := run(context.Background(), []string{"-template", writeTemplate(t, body)}, &stdout, &stderr, connect); code != exitUsage {
				t.Errorf("exit %d, want %d: %s", code, exitUsage, &stderr)
			}
		})
	}
	var stderr bytes.Buffer
	if code := run(context.Background(), []string{"-template", "/nonexistent.json"}, &bytes.Buffer{}, &stderr, nil); code != exitUsage || !strings.Contains(stderr.String(), "run make synth first") {
		t.Errorf("missing template: exit %d, %q", code, &stderr)
	}
}

// TestNoCredentials runs the real credential chain with every source
// switched off: the command says so in one line instead of failing.
func TestNoCredentials(t *testing.T) {
	for _, v := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"} {
		t.Setenv(v, "")
	}
	empty := filepath.Join(t.TempDir(), "none")
	t.Setenv("AWS_CONFIG_FILE", empty)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", empty)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	if _, _, err := newClient(context.Background(), "", ""); !errors.Is(err, errNoCredentials) {
		t.Fatalf("newClient = %v, want errNoCredentials", err)
	}
}

// TestAssemblyWithErrors: an assembly whose stack carries an error (as
// cdk list leaves one: the Go function has no binary) is refused before
// AWS is asked, with the error, even with credentials that reach nowhere.
func TestAssemblyWithErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "S.template.json")
	os.WriteFile(path, []byte(template), 0o644)
	os.WriteFile(filepath.Join(dir, "S.metadata.json"), []byte(`{"/S/Fn": [{"type": "aws:cdk:error", "data": "golambda: no binary"}]}`), 0o644)
	var stdout, stderr bytes.Buffer
	connect := func(context.Context, string, string) (validator, string, error) {
		t.Fatal("must not reach AWS with an assembly cdk deploy would refuse")
		return nil, "", nil
	}
	code := run(context.Background(), []string{"-template", path, "-require-credentials"}, &stdout, &stderr, connect)
	want := "validate: the assembly in " + dir + " carries an error, so cdk deploy would refuse it:\n  /S/Fn: golambda: no binary\n"
	if code != exitInvalid || stderr.String() != want {
		t.Errorf("exit %d, stderr %q; want %d, %q", code, &stderr, exitInvalid, want)
	}
}
