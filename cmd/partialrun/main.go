// Command partialrun plans, starts, resumes and redrives partial runs of any
// Step Functions state machine built with the skippable construct. It reads
// the guards from the definition itself, so it works with any such machine.
//
//	partialrun flags  (--state-machine ARN | --definition FILE)
//	partialrun plan   (--state-machine ARN | --definition FILE) [--from TASK] [--only T1,T2] [--skip T1,T2] [--process-date D[..D]] [--systems S1,S2]
//	partialrun start  --state-machine ARN [plan options] [--wait]
//	partialrun resume EXECUTION_ARN [--skip T1,T2] [--dry-run] [--wait]
//	partialrun redrive EXECUTION_ARN
//	partialrun undo    EXECUTION_ARN --job NAME [--force] [--wait] | --local [--dir DIR] [--force]
//
// AWS access uses the standard credential chain; --region and --profile
// choose among configured ones.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
)

const usage = `partialrun: partial runs of a Step Functions state machine built with skippable guards.

Usage:
  partialrun flags   (--state-machine ARN | --definition FILE)
  partialrun plan    (--state-machine ARN | --definition FILE) [--from TASK] [--only T1,T2] [--skip T1,T2] [--process-date YYYY-MM-DD[..YYYY-MM-DD]] [--systems S1,S2]
  partialrun start   --state-machine ARN [--from TASK] [--only T1,T2] [--skip T1,T2] [--process-date YYYY-MM-DD[..YYYY-MM-DD]] [--systems S1,S2] [--wait]
  partialrun resume  EXECUTION_ARN [--skip T1,T2] [--dry-run] [--wait]
  partialrun redrive EXECUTION_ARN
  partialrun undo    EXECUTION_ARN --job MAINTENANCE_JOB [--force] [--wait]
  partialrun undo    EXECUTION_ID --local [--dir .local] [--force]

TASK is a flag name or the name of the task it guards. --definition takes a
plain ASL definition or a template written by cdk synth. undo restores the
tables an execution committed to as they were before it (refusing if a
later execution committed since, unless --force), with the stack's
maintenance job, or on make local's tables.
Every command that calls AWS also takes --region and --profile.
`

// errUsage marks a mistake in the command line: usage is printed with it.
var errUsage = errors.New("usage")

// errRefused marks an input the state machine's validation would refuse:
// nothing is started.
var errRefused = errors.New("refused")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr, connectAWS))
}

// run executes one command line and returns the exit status: 0 on success,
// 1 when the command failed (an execution that failed included), 2 on a
// usage error or an input the state machine would refuse.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, connect connector) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		return 0
	}
	commands := map[string]func(context.Context, []string, io.Writer, connector) error{
		"flags": cmdFlags, "plan": cmdPlan, "start": cmdStart, "resume": cmdResume, "redrive": cmdRedrive, "undo": cmdUndo,
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "partialrun: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	err := cmd(ctx, args[1:], stdout, connect)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, usage)
		return 0
	case errors.Is(err, errRefused):
		fmt.Fprintf(stderr, "partialrun %s: %s\n", args[0], strings.TrimPrefix(err.Error(), errRefused.Error()+": "))
		return 2
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "partialrun %s: %v\n\n%s", args[0], err, usage)
		return 2
	default:
		fmt.Fprintf(stderr, "partialrun %s: %v\n", args[0], err)
		return 1
	}
}
