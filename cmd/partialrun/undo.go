package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/glue/types"
	"github.com/partialruns/velib-pipeline/internal/layout"
	"github.com/partialruns/velib-pipeline/internal/local"
	"github.com/partialruns/velib-pipeline/internal/modroot"
)

// glueAPI is the part of the Glue client undo uses; tests stand in for it.
type glueAPI interface {
	StartJobRun(context.Context, *glue.StartJobRunInput, ...func(*glue.Options)) (*glue.StartJobRunOutput, error)
	GetJobRun(context.Context, *glue.GetJobRunInput, ...func(*glue.Options)) (*glue.GetJobRunOutput, error)
}

// glueConnector returns a Glue client for region.
type glueConnector func(ctx context.Context, a access, region string) (glueAPI, error)

func connectGlue(ctx context.Context, a access, region string) (glueAPI, error) {
	cfg, err := a.config(ctx, region)
	if err != nil {
		return nil, err
	}
	return glue.NewFromConfig(cfg), nil
}

// undoOptions are undo's own options.
type undoOptions struct {
	job, dir   string
	force, loc bool
}

func cmdUndo(ctx context.Context, args []string, out io.Writer, connect connector) error {
	return undo(ctx, args, out, connectGlue)
}

// undo restores the tables an execution committed to, as they were
// before it: on AWS by starting the stack's maintenance job with
// --action undo (and, with --wait, following its run), or with --local on
// make local's tables.
func undo(ctx context.Context, args []string, out io.Writer, connect glueConnector) error {
	o := options{}
	var u undoOptions
	pos, err := parse("undo", args, func(fs *flag.FlagSet) {
		fs.StringVar(&u.job, "job", "", "the stack's maintenance Glue job (its MaintenanceJob output)")
		fs.BoolVar(&u.force, "force", false, "undo even if a later execution committed to the same tables (its commits are undone too)")
		fs.BoolVar(&u.loc, "local", false, "undo a make local run on its local tables instead")
		fs.StringVar(&u.dir, "dir", envOr("LOCAL_DIR", ".local"), "with --local: the run's state folder (default $LOCAL_DIR, else .local)")
		o.bindWait(fs)
		o.bindAccess(fs)
	})
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: undo takes one execution ARN", errUsage)
	}
	execution := pos[0]
	if u.loc {
		return undoLocal(execution, u, out)
	}
	a, err := parseARN(execution, "execution")
	if err != nil {
		return err
	}
	if u.job == "" {
		return fmt.Errorf("%w: --job is required: the stack's maintenance job (its MaintenanceJob output)", errUsage)
	}
	client, err := connect(ctx, o.access, a.Region)
	if err != nil {
		return err
	}
	started, err := client.StartJobRun(ctx, &glue.StartJobRunInput{JobName: aws.String(u.job), Arguments: map[string]string{
		"--action": "undo", "--" + layout.ExecutionArg: execution, "--force": strconv.FormatBool(u.force),
	}})
	if err != nil {
		return explain(err)
	}
	id := aws.ToString(started.JobRunId)
	fmt.Fprintf(out, "started %s run %s to undo %s\n  %s\n", u.job, id, execution, jobRunURL(a, u.job, id))
	if !o.wait {
		return nil
	}
	return waitForRun(ctx, client, u.job, id, o.poll, out)
}

// waitForRun polls a job run until it ends; a failed run's message (the
// job's refusal, e.g. a later commit that --force would undo) is the
// error.
func waitForRun(ctx context.Context, client glueAPI, job, id string, poll time.Duration, out io.Writer) error {
	for {
		run, err := client.GetJobRun(ctx, &glue.GetJobRunInput{JobName: aws.String(job), RunId: aws.String(id)})
		if err != nil {
			return explain(err)
		}
		switch state := run.JobRun.JobRunState; state {
		case types.JobRunStateSucceeded:
			fmt.Fprintf(out, "undone: the run succeeded; its log (/aws-glue/jobs/…/output) lists each table's snapshot before and after\n")
			return nil
		case types.JobRunStateFailed, types.JobRunStateError, types.JobRunStateTimeout, types.JobRunStateStopped, types.JobRunStateExpired:
			return fmt.Errorf("the undo run ended %s: %s", state, aws.ToString(run.JobRun.ErrorMessage))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(poll):
		}
	}
}

// jobRunURL is where a person can watch a job run.
func jobRunURL(execution arn.ARN, job, id string) string {
	return fmt.Sprintf("https://%s.console.aws.amazon.com/gluestudio/home?region=%s#/job/%s/run/%s", execution.Region, execution.Region, job, id)
}

// undoLocal runs the same job on make local's tables.
func undoLocal(execution string, u undoOptions, out io.Writer) error {
	root, err := modroot.Find()
	if err != nil {
		return err
	}
	err = local.Undo(local.UndoOptions{
		Dir: u.dir, Assembly: filepath.Join(root, ".tools", "local.out"), Stack: layout.StackID,
		Python: filepath.Join(root, ".tools", "venv", "bin", "python"), Runner: filepath.Join(root, "glue_scripts", "local_runner.py"),
		Execution: execution, Force: u.force, Out: out,
	})
	var refused *local.UndoError
	if errors.As(err, &refused) {
		return fmt.Errorf("%w: %s", errRefused, strings.TrimPrefix(refused.Cause, "velib_maintenance: "))
	}
	return err
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}
