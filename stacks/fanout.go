package stacks

import (
	"math"

	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	tasks "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctionstasks"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/constructs/skippable/contract"
	"github.com/partialruns/velib-pipeline/internal/jsonata"
	"github.com/partialruns/velib-pipeline/internal/layout"
)

// The ingest fans out over the systems: one Lambda invocation each, a
// bounded number at once. A system that fails is caught and recorded, so
// the others' ingest and refinement go on. Once they are refined, the
// failed systems are ingested once more, with nothing caught: if one fails
// again, the execution fails right there, the alert fires, and a redrive
// re-runs only that Map's failed iterations (Step Functions redrives an
// inline Map's unsuccessful iterations only), then refines those systems.
// A Distributed Map with tolerated failures would succeed, leaving only a
// final Fail state to redrive.
//
// State keys the fan-out writes.
const (
	// ingestKey holds the first round's outcome per system, in order:
	// {system, outcome: {status: "loaded", summary} or {status:
	// "failed", error, cause}}.
	ingestKey = "ingest"
	// recoveryKey holds the second round's, for the failed systems.
	recoveryKey = "recovery"
	// ingestedKey sums up the last round: the systems loaded, those
	// that failed, and the snapshots' dates.
	ingestedKey = "ingested"
)

// Outcomes of a system's ingest.
const (
	statusLoaded = "loaded"
	statusFailed = "failed"
)

// ingestTimeoutSeconds is the ingest function's timeout.
const ingestTimeoutSeconds = 60

// The ingest task's retry of the Lambda service's transient errors.
const (
	ingestRetryInterval = 2 // seconds, doubling
	ingestRetryAttempts = 6
	ingestRetryMaxDelay = 60 // seconds
)

// ingestMinutes bounds the two ingest rounds: each runs the systems in
// waves of ingestConcurrency, a wave lasting at most the function's
// timeout plus every retry's longest delay.
func ingestMinutes(cfg Config) int {
	waves := (len(cfg.Systems) + cfg.IngestConcurrency - 1) / cfg.IngestConcurrency
	wave := float64(ingestTimeoutSeconds)
	delay := float64(ingestRetryInterval)
	for range ingestRetryAttempts {
		wave += min(delay, ingestRetryMaxDelay)
		delay *= 2
	}
	return 2 * waves * int(math.Ceil(wave/60))
}

// fanoutProps configure the ingest rounds.
type fanoutProps struct {
	ingest awslambda.IFunction
	// concurrency bounds the invocations in flight.
	concurrency int
}

// loadSystems is the ingest guard's body: every selected system's ingest,
// each failure caught, then the sort that makes the loaded systems and
// their snapshots' dates what the Glue stages process.
func loadSystems(scope constructs.Construct, p fanoutProps) sfn.IChainable {
	each := systemsMap(scope, p, "Load each system", "$."+layout.SystemsKey, ingestKey,
		"Ingests each system; a failure is recorded and the other systems go on.")
	task := ingestTask(scope, "Load data", p.ingest)
	failed := sfn.NewPass(scope, jsii.String("Note the system's failure"), &sfn.PassProps{
		Comment: jsii.String("Keeps the error; the system is ingested again once the others are refined."),
		Parameters: &map[string]any{
			"status":  statusFailed,
			"error.$": "$.outcome.Error",
			"cause.$": "$.outcome.Cause",
		},
		ResultPath: jsii.String("$.outcome"),
	})
	task.AddCatch(failed, &sfn.CatchProps{Errors: jsii.Strings("States.ALL"), ResultPath: jsii.String("$.outcome")})
	each.ItemProcessor(task, nil)
	return each.Next(sortSystems(scope, "Sort the systems by outcome", ingestKey))
}

// recoverSystems returns the states after the refinement: when a system
// failed, it is ingested again, nothing caught, and the recovered systems
// go back to refine; otherwise done.
func recoverSystems(scope constructs.Construct, p fanoutProps, refine, done sfn.IChainable) sfn.IChainable {
	again := systemsMap(scope, p, "Load the failed systems again", "$."+ingestedKey+".failed", recoveryKey,
		"Ingests the systems that failed once more; a failure fails the execution here, and a redrive re-runs only the failed iterations.")
	again.ItemProcessor(ingestTask(scope, "Load data again", p.ingest), nil)
	return sfn.NewChoice(scope, jsii.String("Any system to load again?"), &sfn.ChoiceProps{
		Comment: jsii.String("A system whose ingest failed is ingested again, then refined."),
	}).When(sfn.Condition_IsPresent(jsii.String("$."+ingestedKey+".failed[0]")),
		again.Next(sortSystems(scope, "Sort the recovered systems", recoveryKey)).Next(refine), nil).
		Otherwise(done)
}

// anySystem is where the refinement starts, or is skipped when no system
// was ingested; the caller adds both branches.
func anySystem(scope constructs.Construct) sfn.Choice {
	return sfn.NewChoice(scope, jsii.String("Any system to refine?"), &sfn.ChoiceProps{
		Comment: jsii.String("The Glue stages run when at least one system has data to refine."),
	})
}

// systemsMap is an inline Map over the system ids at itemsPath, each
// iteration given its system, the date and the execution.
func systemsMap(scope constructs.Construct, p fanoutProps, name, itemsPath, resultKey, comment string) sfn.Map {
	return sfn.NewMap(scope, jsii.String(name), &sfn.MapProps{
		Comment:        jsii.String(comment),
		ItemsPath:      jsii.String(itemsPath),
		MaxConcurrency: jsii.Number(float64(p.concurrency)),
		ItemSelector: &map[string]any{
			"system":       sfn.JsonPath_StringAt(jsii.String("$$.Map.Item.Value")),
			layout.DateKey: sfn.JsonPath_StringAt(jsii.String("$." + layout.DateKey)),
			"execution":    sfn.JsonPath_StringAt(jsii.String("$$.Execution.Id")),
		},
		ResultPath: jsii.String("$." + resultKey),
	})
}

// sortSystems is a JSONata Pass (JSONPath has no filter that may match
// nothing, nor a minimum) that reads a round's outcomes at resultKey and
// sets the systems the Glue stages process to those loaded, and the date
// to their snapshots' date: each snapshot is filed under its feed time's
// UTC date, so an execution whose snapshots straddle midnight processes
// the range of their dates. Without a snapshot the date stays.
func sortSystems(scope constructs.Construct, name, resultKey string) sfn.Pass {
	return sfn.Pass_Jsonata(scope, jsii.String(name), &sfn.PassJsonataProps{
		Comment: jsii.String("The Glue stages process the systems loaded, on their snapshots' dates."),
		Outputs: jsii.String(jsonata.Wrap(`(
	$results := $states.input.` + resultKey + `;
	$loaded := $append([], $results[outcome.status = "` + statusLoaded + `"].system);
	$failed := $append([], $results[outcome.status = "` + statusFailed + `"].system);
	$dates := $sort($append([], $results[outcome.status = "` + statusLoaded + `"].outcome.summary.date));
	$date := $count($dates) = 0 ? $states.input.` + layout.DateKey + `
		: $dates[0] = $dates[-1] ? $dates[0]
		: $dates[0] & "` + contract.RangeSep + `" & $dates[-1];
	$merge([$states.input, {
		"` + layout.SystemsKey + `": $loaded,
		"` + layout.DateKey + `": $date,
		"` + ingestedKey + `": {"systems": $loaded, "failed": $failed, "dates": $dates}
	}])
)`)),
	})
}

// ingestTask invokes the ingest Lambda for the iteration's system and
// keeps its summary. Transient Lambda service errors are retried; an error
// from the function itself is not, since fetching the same feed again is
// the function's own business.
func ingestTask(scope constructs.Construct, name string, fn awslambda.IFunction) tasks.LambdaInvoke {
	task := tasks.NewLambdaInvoke(scope, jsii.String(name), &tasks.LambdaInvokeProps{
		Comment:        jsii.String("Fetches the system's GBFS feed and writes one raw snapshot."),
		LambdaFunction: fn,
		Payload:        sfn.TaskInput_FromJsonPathAt(jsii.String("$")),
		// The default retry covers errors this list already names, with no
		// jitter; one policy, stated here, is easier to reason about.
		RetryOnServiceExceptions: jsii.Bool(false),
		ResultSelector: &map[string]any{
			"status":  statusLoaded,
			"summary": sfn.JsonPath_ObjectAt(jsii.String("$.Payload")),
		},
		ResultPath: jsii.String("$.outcome"),
	})
	task.AddRetry(transientRetry(
		[]string{"Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.TooManyRequestsException"},
		ingestRetryInterval, ingestRetryAttempts, ingestRetryMaxDelay))
	return task
}
