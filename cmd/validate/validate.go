package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/partialruns/velib-pipeline/constructs/skippable/render"
	"github.com/partialruns/velib-pipeline/internal/assembly"
	"github.com/partialruns/velib-pipeline/internal/awsconfig"
)

// Exit codes.
const (
	exitOK            = 0
	exitInvalid       = 1
	exitUsage         = 2
	exitNoCredentials = 3
)

// defaultRegion is used when the profile names none: the API checks a
// definition the same way in every region.
const defaultRegion = "us-east-1"

// validator is the part of the Step Functions client this command uses.
type validator interface {
	ValidateStateMachineDefinition(ctx context.Context, in *sfn.ValidateStateMachineDefinitionInput, opts ...func(*sfn.Options)) (*sfn.ValidateStateMachineDefinitionOutput, error)
}

// noCredentials is the one line for a machine without credentials.
const noCredentials = "validate: no AWS credentials found: set AWS_PROFILE (after aws configure or aws sso login) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, then run again"

// errNoCredentials is what newClient returns when the credential chain
// finds nothing.
var errNoCredentials = errors.New("no AWS credentials found")

// newClient returns a client once credentials are known to resolve, so a
// machine without them gets one clear line instead of an SDK error per call.
func newClient(ctx context.Context, profile, region string) (validator, string, error) {
	cfg, err := awsconfig.Load(ctx, profile, region)
	if err != nil {
		return nil, "", err
	}
	if cfg.Region == "" {
		cfg.Region = defaultRegion
	}
	// The last link of the chain asks the EC2 instance metadata service,
	// which off EC2 answers only by timing out.
	probe, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := cfg.Credentials.Retrieve(probe); err != nil {
		return nil, "", errNoCredentials
	}
	return sfn.NewFromConfig(cfg), cfg.Region, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, connect func(ctx context.Context, profile, region string) (validator, string, error)) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	template := fs.String("template", "cdk.out/AWSStateFunctionPartialRuns.template.json", "the synthesized CloudFormation template")
	profile := fs.String("profile", "", "AWS profile (default: the standard credential chain)")
	region := fs.String("region", "", "AWS region (default: the profile's, else "+defaultRegion+")")
	require := fs.Bool("require-credentials", false, "fail (exit 3) instead of skipping when there are no credentials")
	credentialsOnly := fs.Bool("credentials-only", false, "only check that AWS credentials resolve, as -require-credentials would (make deploy runs this before its synth)")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "validate: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	if *credentialsOnly {
		_, _, err := connect(ctx, *profile, *region)
		switch {
		case errors.Is(err, errNoCredentials):
			fmt.Fprintln(stderr, noCredentials)
			return exitNoCredentials
		case err != nil:
			fmt.Fprintf(stderr, "validate: %v\n", err)
			return exitInvalid
		}
		return exitOK
	}
	machines, err := readMachines(*template)
	if err != nil {
		fmt.Fprintf(stderr, "validate: %v\n", err)
		return exitUsage
	}
	// cdk deploy refuses an assembly whose stack carries an error; saying
	// so here comes first, and needs no AWS.
	dir, file := filepath.Split(*template)
	errs, err := assembly.Errors(filepath.Clean(dir), strings.TrimSuffix(file, ".template.json"))
	if err != nil {
		fmt.Fprintf(stderr, "validate: %v\n", err)
		return exitUsage
	}
	if len(errs) > 0 {
		fmt.Fprintf(stderr, "validate: the assembly in %s carries %s, so cdk deploy would refuse it:\n", filepath.Clean(dir), plural(len(errs), "an error", "errors"))
		for _, e := range errs {
			fmt.Fprintf(stderr, "  %s: %s\n", e.Path, e.Text)
		}
		return exitInvalid
	}
	client, usedRegion, err := connect(ctx, *profile, *region)
	if errors.Is(err, errNoCredentials) {
		if *require {
			fmt.Fprintln(stderr, noCredentials)
			return exitNoCredentials
		}
		fmt.Fprintln(stdout, "validate: skipped: no AWS credentials, so ValidateStateMachineDefinition was not asked (the offline checks in make test still ran)")
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "validate: %v\n", err)
		return exitInvalid
	}
	failed := false
	for _, id := range slices.Sorted(maps.Keys(machines)) {
		out, err := client.ValidateStateMachineDefinition(ctx, &sfn.ValidateStateMachineDefinitionInput{
			Definition: aws.String(machines[id]),
			Type:       types.StateMachineTypeStandard,
		})
		if err != nil {
			fmt.Fprintf(stderr, "validate: %s: %v\n", id, err)
			return exitInvalid
		}
		failed = report(stdout, id, usedRegion, out) || failed
	}
	if failed {
		return exitInvalid
	}
	return exitOK
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// report prints one state machine's diagnostics and says whether any is an
// error.
func report(w io.Writer, id, region string, out *sfn.ValidateStateMachineDefinitionOutput) bool {
	failed := out.Result != types.ValidateStateMachineDefinitionResultCodeOk
	fmt.Fprintf(w, "%s: ValidateStateMachineDefinition (%s): %s, %d diagnostic(s)\n", id, region, out.Result, len(out.Diagnostics))
	for _, d := range out.Diagnostics {
		failed = failed || d.Severity == types.ValidateStateMachineDefinitionSeverityError
		fmt.Fprintf(w, "  %-7s %s at %s: %s\n", d.Severity, aws.ToString(d.Code), aws.ToString(d.Location), aws.ToString(d.Message))
	}
	if aws.ToBool(out.Truncated) {
		fmt.Fprintln(w, "  (more diagnostics were left out by the API)")
	}
	return failed
}

// readMachines returns the flattened definitions in the template, by
// logical id.
func readMachines(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%v (run make synth first, or give ASSEMBLY the folder of a synthesized assembly)", err)
	}
	var template map[string]any
	if err := json.Unmarshal(b, &template); err != nil {
		return nil, fmt.Errorf("%s is not a JSON template: %v", path, err)
	}
	machines, err := render.AllFromTemplate(template)
	if err != nil {
		return nil, err
	}
	if len(machines) == 0 {
		return nil, fmt.Errorf("%s holds no state machine", path)
	}
	return machines, nil
}
