package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	tasks "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctionstasks"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/constructs/skippable"
	"github.com/partialruns/velib-pipeline/constructs/skippable/contract"
	"github.com/partialruns/velib-pipeline/constructs/skippable/parallel"
	"github.com/partialruns/velib-pipeline/constructs/skippable/validation"
	"github.com/partialruns/velib-pipeline/constructs/sparkjob"
	"github.com/partialruns/velib-pipeline/internal/layout"
)

// workflowProps are the pieces the state machine orchestrates.
type workflowProps struct {
	ingest awslambda.IFunction
	// The Glue jobs' names.
	rawToSilver, avgStats, availPercent *string
	// capacity sizes each Glue job run for its days.
	capacity capacity
}

// newWorkflow returns the state machine definition, and its validation
// (which checks the schedules' stored inputs too):
//
//	Validate input → Run lambda_load_data? → Run velib_raw_to_silver? →
//	Gold (Parallel: the two gold guards) → Done
func newWorkflow(scope constructs.Construct, p workflowProps) (sfn.IChainable, *validation.Validation) {
	load := skippable.New(scope, jsii.String("LoadDataGuard"), &skippable.Props{
		Flag: layout.FlagLoadData,
		Body: sfn.Chain_Start(ingestTask(scope, p.ingest)).Next(snapshotDate(scope)),
	})
	silver := skippable.New(scope, jsii.String("RawToSilverGuard"), &skippable.Props{
		Flag: layout.FlagRawToSilver,
		Body: glueTask(scope, "Raw to silver", p.rawToSilver),
	})
	avg := skippable.New(scope, jsii.String("AvgStatsGuard"), &skippable.Props{
		Flag: layout.FlagAvgStats,
		Body: glueTask(scope, "Gold avg stats", p.avgStats),
	})
	avail := skippable.New(scope, jsii.String("AvailPercentGuard"), &skippable.Props{
		Flag: layout.FlagAvailPercent,
		Body: glueTask(scope, "Gold avail percent", p.availPercent),
	})
	// It accepts exactly the flags of the guards chained after it.
	validate := validation.New(scope, jsii.String("Validation"), &validation.Props{
		Params:  []contract.Param{processDate(), processDayBefore()},
		Derived: []contract.Derived{p.capacity.derived()},
	})

	gold := parallel.New(scope, jsii.String("Gold"), &parallel.Props{
		Comment:  jsii.String("Both gold tables are built from silver, independently."),
		Branches: []sfn.IChainable{avg.End(), avail.End()},
	})

	return validate.Next(load).Next(silver).Next(gold).Next(sfn.NewSucceed(scope, jsii.String("Done"), nil)), validate
}

// processDate declares the pipeline's process_date: a date or a range of
// dates (a backfill), each under the date rule, and only when no feed is
// fetched, since a feed can only be fetched as it is now.
// Without it, the day before process_day_before, or the start date.
func processDate() contract.Param {
	p := withoutIngest(contract.DateRangeParam(layout.DateKey, layout.MaxRangeDays))
	p.Default = contract.DayBeforeDefault(layout.DayBeforeKey)
	return p
}

// processDayBefore declares process_day_before, which a daily schedule
// sets to the time it fired, under the same rule as process_date.
func processDayBefore() contract.Param {
	return withoutIngest(contract.DayBeforeParam(layout.DayBeforeKey, layout.DateKey))
}

// withoutIngest adds to p's check the rule that the input also sets the
// ingest flag false.
func withoutIngest(p contract.Param) contract.Param {
	p.Describe += ", with " + layout.FlagLoadData + " false"
	p.Check = `$lookup($in, "` + layout.FlagLoadData + `") = false ? ` + p.Check + ` : "` + p.Name + ` is given but ` +
		layout.FlagLoadData + ` is not false: ingest fetches the feed as it is now, so set ` + layout.FlagLoadData + ` to false to process another day"`
	return p
}

// snapshotDate makes the date of the snapshot the ingest just wrote (its
// feed timestamp's UTC date, which the function reports) the date every
// later task processes: an execution started at 23:59:58 whose feed is
// stamped 00:00:03 processes the new day, which holds the snapshot. A
// redrive keeps it, since it restarts from the recorded state.
func snapshotDate(scope constructs.Construct) sfn.IChainable {
	return sfn.NewPass(scope, jsii.String("Process the snapshot's date"), &sfn.PassProps{
		Comment:    jsii.String("The Glue jobs process the partition the snapshot was filed under."),
		InputPath:  jsii.String("$." + ingestResult + ".summary.date"),
		ResultPath: jsii.String("$." + layout.DateKey),
	})
}

// ingestResult is where the ingest task puts the function's summary.
const ingestResult = "ingest"

// ingestTask invokes the ingest Lambda and keeps its summary. Transient
// Lambda service errors are retried; an error from the function itself is
// not, since fetching the same feed again is the function's own business.
func ingestTask(scope constructs.Construct, fn awslambda.IFunction) sfn.IChainable {
	task := tasks.NewLambdaInvoke(scope, jsii.String("Load data"), &tasks.LambdaInvokeProps{
		Comment:        jsii.String("Fetches the GBFS feed and writes one raw snapshot."),
		LambdaFunction: fn,
		Payload: sfn.TaskInput_FromObject(&map[string]any{
			layout.DateKey: sfn.JsonPath_StringAt(jsii.String("$." + layout.DateKey)),
			"execution":    sfn.JsonPath_StringAt(jsii.String("$$.Execution.Id")),
		}),
		// The default retry covers errors this list already names, with no
		// jitter; one policy, stated here, is easier to reason about.
		RetryOnServiceExceptions: jsii.Bool(false),
		ResultSelector: &map[string]any{
			"summary": sfn.JsonPath_ObjectAt(jsii.String("$.Payload")),
		},
		ResultPath: jsii.String("$." + ingestResult),
	})
	task.AddRetry(transientRetry(
		[]string{"Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.TooManyRequestsException"},
		2, 6, 60))
	return task
}

// glueTask starts a Glue job run and waits for it to end (.sync), so the
// task fails when the run fails and gold never races silver. The run's
// workers and timeout are those the validation sized for its days.
func glueTask(scope constructs.Construct, name string, job *string) sfn.IChainable {
	task := tasks.NewGlueStartJobRun(scope, jsii.String(name), &tasks.GlueStartJobRunProps{
		GlueJobName:        job,
		IntegrationPattern: sfn.IntegrationPattern_RUN_JOB,
		Arguments: sfn.TaskInput_FromObject(&map[string]any{
			"--" + layout.DateKey: sfn.JsonPath_StringAt(jsii.String("$." + layout.DateKey)),
		}),
		WorkerConfiguration: &tasks.WorkerConfigurationProperty{
			WorkerTypeV2:    tasks.WorkerTypeV2_Of(jsii.String(sparkjob.WorkerType)),
			NumberOfWorkers: sfn.JsonPath_NumberAt(jsii.String("$." + capacityKey + ".workers")),
		},
		// A path here becomes the run's Timeout, in minutes, as Glue's API
		// takes it; the task itself has no timeout (the run's ends it).
		TaskTimeout: sfn.Timeout_At(jsii.String("$." + capacityKey + ".timeout_minutes")),
		// The job run (its id, state and timings) is in the execution
		// history; kept in the state, a gold branch's would be lost when
		// the Parallel keeps its first branch's state.
		ResultPath: sfn.JsonPath_DISCARD(),
	})
	// Max concurrent runs is 1 per job, so a second execution started at the
	// same time waits its turn here instead of writing the same partition.
	task.AddRetry(transientRetry([]string{"Glue.ConcurrentRunsExceededException"}, 30, 10, 300))
	task.AddRetry(transientRetry(
		[]string{"Glue.InternalServiceException", "Glue.OperationTimeoutException", "Glue.ThrottlingException"},
		10, 4, 120))
	return task
}

// transientRetry backs off exponentially from intervalSec with full jitter,
// capped at maxDelaySec between attempts.
func transientRetry(errors []string, intervalSec, attempts, maxDelaySec float64) *sfn.RetryProps {
	return &sfn.RetryProps{
		Errors:         jsii.Strings(errors...),
		Interval:       awscdk.Duration_Seconds(jsii.Number(intervalSec)),
		MaxAttempts:    jsii.Number(attempts),
		BackoffRate:    jsii.Number(2),
		MaxDelay:       awscdk.Duration_Seconds(jsii.Number(maxDelaySec)),
		JitterStrategy: sfn.JitterType_FULL,
	}
}
