package stacks

import (
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/constructs/alert"
	"github.com/partialruns/velib-pipeline/constructs/arrivals"
	"github.com/partialruns/velib-pipeline/internal/layout"
)

// newArrivals makes snapshots that arrive under the arrivals prefix start
// a run of their systems and days, ingest off, once their burst is quiet;
// nothing when event runs are off. The run's input lists the arrivals' day
// folders, from which its validation derives the days and systems.
func newArrivals(stack awscdk.Stack, cfg Config, bucket awss3.Bucket, key awskms.IKey, machine sfn.IStateMachine, failures *alert.Alert) {
	if !cfg.EventRuns.Enabled {
		return
	}
	quiet := cfg.EventRuns.QuietMinutes
	a := arrivals.New(stack, jsii.String("Arrivals"), &arrivals.Props{
		Bucket: bucket, Prefix: cfg.EventRuns.Prefix, Target: machine,
		Quiet: awscdk.Duration_Minutes(jsii.Number(float64(quiet))),
		// <prefix><system>/dt=<day>/
		Folders:      strings.Count(cfg.EventRuns.Prefix, "/") + 2,
		InputKey:     layout.ArrivalsKey,
		Input:        map[string]any{layout.FlagLoadData: false},
		Name:         arrivalsName(cfg),
		RunPrefix:    "arrivals-",
		Key:          key,
		LogGroupName: arrivalsLogGroup(cfg),
		LogRetention: cfg.LogRetention(),
		// The window may wait behind a run as long as any run may last.
		Timeout: awscdk.Duration_Minutes(jsii.Number(float64(quiet + machineMinutes(cfg) + 60))),
	})
	failures.Notify(a.Undelivered, a.AlarmName)
	failures.Notify(a.Stranded, a.StrandedName)
	failures.Watch(a.Window)
}

// arrivalsName names the window's state machine, rule and alarm.
func arrivalsName(cfg Config) string { return cfg.NamePrefix + "-arrivals" }

// arrivalsLogGroup names the window's log group.
func arrivalsLogGroup(cfg Config) string { return "/aws/vendedlogs/states/" + arrivalsName(cfg) }
