package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
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
	fanout fanoutProps
	// systems are the configured systems' ids.
	systems []string
	// The Glue jobs' names.
	rawToSilver, avgStats, availPercent *string
	// capacity sizes each Glue job run for its days.
	capacity capacity
	// arrivals reads the arrivals a run refines.
	arrivals arrivalRule
}

// newWorkflow returns the state machine definition, and its validation
// (which checks the schedules' stored inputs too):
//
//	Validate input → Run lambda_load_data? (Map over the systems → sort) →
//	Any system to refine? → Run velib_raw_to_silver? →
//	Gold (Parallel: the two gold guards) → Any system to load again? →
//	Done, or the failed systems' ingest and back to refine them
func newWorkflow(scope constructs.Construct, p workflowProps) (sfn.IChainable, *validation.Validation) {
	load := skippable.New(scope, jsii.String("LoadDataGuard"), &skippable.Props{
		Flag: layout.FlagLoadData,
		Body: loadSystems(scope, p.fanout),
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
		Params:  []contract.Param{processDate(p.arrivals), processDayBefore(), systemsParam(p.systems, p.arrivals), p.arrivals.param()},
		Derived: []contract.Derived{p.capacity.derived(p.arrivals)},
	})

	gold := parallel.New(scope, jsii.String("Gold"), &parallel.Props{
		Comment:  "Both gold tables are built from silver, independently.",
		Branches: []sfn.IChainable{avg.End(), avail.End()},
	})

	// The recovery loops back to refine the systems it loaded.
	refine := anySystem(scope)
	again := recoverSystems(scope, p.fanout, refine, sfn.NewSucceed(scope, jsii.String("Done"), nil))
	refine.When(sfn.Condition_IsPresent(jsii.String("$."+layout.SystemsKey+"[0]")), silver, nil).Otherwise(again)
	silver.Next(gold).Next(again)
	return validate.Next(load).Next(refine), validate
}

// processDate declares the pipeline's process_date: a date or a range of
// dates (a backfill), each under the date rule, and only when no feed is
// fetched, since a feed can only be fetched as it is now.
// Without it, the days of the arrivals, the day before
// process_day_before, or the start date.
func processDate(arrivals arrivalRule) contract.Param {
	p := withoutIngest(contract.DateRangeParam(layout.DateKey, layout.MaxRangeDays))
	p.Default = arrivals.given() + ` ? ` + arrivals.dateDefault() + ` : (` + contract.DayBeforeDefault(layout.DayBeforeKey) + `)`
	return p
}

// systemsParam declares systems: some of the configured systems. Without
// it, those the arrivals name, or all of them.
func systemsParam(systems []string, arrivals arrivalRule) contract.Param {
	p := contract.SubsetParam(layout.SystemsKey, systems)
	p.Default = arrivals.given() + ` ? ` + arrivals.systemsDefault() + ` : ` + p.Default
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

// glueTask starts a Glue job run and waits for it to end (.sync), so the
// task fails when the run fails and gold never races silver. The run's
// workers and timeout are those the validation sized for its days.
func glueTask(scope constructs.Construct, name string, job *string) sfn.IChainable {
	task := tasks.NewGlueStartJobRun(scope, jsii.String(name), &tasks.GlueStartJobRunProps{
		GlueJobName:        job,
		IntegrationPattern: sfn.IntegrationPattern_RUN_JOB,
		Arguments: sfn.TaskInput_FromObject(&map[string]any{
			"--" + layout.DateKey: sfn.JsonPath_StringAt(jsii.String("$." + layout.DateKey)),
			// All the systems of the date in one run; JSON, as a Glue
			// argument is text.
			"--" + layout.SystemsKey: sfn.JsonPath_JsonToString(sfn.JsonPath_ListAt(jsii.String("$." + layout.SystemsKey))),
			// Every table commit names the execution, which undo reads.
			"--" + layout.ExecutionArg: sfn.JsonPath_StringAt(jsii.String("$$.Execution.Id")),
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
