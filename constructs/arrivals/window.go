package arrivals

import (
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	tasks "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctionstasks"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// State names of the window, which the tests mock by name.
const (
	StateQueue   = "Queue the arrival"
	StateQuiet   = "Quiet window"
	StateNewest  = "Newest arrival?"
	StateTake    = "Take the arrivals"
	StateDelete  = "Delete the taken"
	StateBusy    = "Run in progress?"
	StateWaitRun = "Wait for the run"
	StateStart   = "Start the run"
	StateLater   = "A later arrival holds the window"
	StateNone    = "Nothing left to run"
	StateStarted = "Run started"
	// alreadyStarted is Step Functions' error for a name taken by a run
	// that ended (a running one with the same input is no error).
	alreadyStarted = "SFN.ExecutionAlreadyExistsException"
	receiveMax     = 10 // SQS's most per call
	busyPollSec    = 60 // between looks at the target's runs
	visibilitySec  = 60 // a taken key comes back if not deleted by then
)

// windowProps are what the window's definition needs.
type windowProps struct {
	queue         awssqs.IQueue
	target        sfn.IStateMachine
	self          *string // the window's own ARN, from its fixed name
	quiet         awscdk.Duration
	folders       int
	inputKey      string
	input         map[string]any
	runNamePrefix string
}

// definition is the window: see the package documentation. Every state is
// JSONata.
func definition(scope constructs.Construct, p windowProps) sfn.IChainable {
	queue := p.queue.QueueUrl()
	queueArn := p.queue.QueueArn()

	enqueue := tasks.CallAwsService_Jsonata(scope, jsii.String(StateQueue), &tasks.CallAwsServiceJsonataProps{
		Service: jsii.String("sqs"), Action: jsii.String("sendMessage"), IamAction: jsii.String("sqs:SendMessage"), IamResources: &[]*string{queueArn},
		Parameters: &map[string]any{"QueueUrl": queue, "MessageBody": "{% $states.input.detail.object.key %}"},
		Outputs:    "{% $states.input %}",
	})
	enqueue.AddRetry(retry())

	quiet := sfn.Wait_Jsonata(scope, jsii.String(StateQuiet), &sfn.WaitJsonataProps{
		Time: sfn.WaitTime_Seconds(jsii.String("{% " + strconv.Itoa(int(*p.quiet.ToSeconds(nil))) + " %}")),
	})

	// Executions are listed newest first; the one that started last
	// closes the window. Ties in start time keep the API's order, which is
	// the same for every caller.
	newest := tasks.CallAwsService_Jsonata(scope, jsii.String(StateNewest), &tasks.CallAwsServiceJsonataProps{
		Service: jsii.String("sfn"), Action: jsii.String("listExecutions"), IamAction: jsii.String("states:ListExecutions"),
		IamResources: &[]*string{p.self},
		Parameters:   &map[string]any{"StateMachineArn": "{% $states.context.StateMachine.Id %}", "StatusFilter": "RUNNING", "MaxResults": 1},
		Outputs:      "{% {\"newest\": $states.result.Executions[0].ExecutionArn = $states.context.Execution.Id} %}",
		Assign:       &map[string]any{"folders": []any{}},
	})
	newest.AddRetry(retry())

	// A key's first folders, without decoding: "a/b/c/d.json" with 3
	// folders is "a/b/c/"; a key with fewer is kept whole.
	cut := `function($k) {(
		$parts := $split($k, "/");
		$count($parts) > ` + strconv.Itoa(p.folders) + ` ? $join($map([0..` + strconv.Itoa(p.folders-1) + `], function($i) { $parts[$i] }), "/") & "/" : $k
	)}`
	if p.folders == 0 {
		cut = `function($k) { $k }`
	}
	take := tasks.CallAwsService_Jsonata(scope, jsii.String(StateTake), &tasks.CallAwsServiceJsonataProps{
		Service: jsii.String("sqs"), Action: jsii.String("receiveMessage"), IamAction: jsii.String("sqs:ReceiveMessage"), IamResources: &[]*string{queueArn},
		Parameters: &map[string]any{
			"QueueUrl": queue, "MaxNumberOfMessages": receiveMax, "VisibilityTimeout": visibilitySec,
			// Long polling asks every SQS server, so an empty answer
			// means an empty queue.
			"WaitTimeSeconds": 2,
		},
		Assign: &map[string]any{"folders": `{% (
			$cut := ` + cut + `;
			$distinct($append($folders, $map($append([], $states.result.Messages.Body), $cut)))
		) %}`},
		Outputs: `{% (
			$taken := $append([], $states.result.Messages);
			{"entries": $append([], $map([0..$count($taken) - 1], function($i) { {"Id": "m" & $i, "ReceiptHandle": $taken[$i].ReceiptHandle} }))}
		) %}`,
	})
	take.AddRetry(retry())
	// A key that fails to delete comes back after the visibility
	// timeout and runs its folder once more in a later window.
	del := tasks.CallAwsService_Jsonata(scope, jsii.String(StateDelete), &tasks.CallAwsServiceJsonataProps{
		Service: jsii.String("sqs"), Action: jsii.String("deleteMessageBatch"), IamResources: &[]*string{queueArn},
		IamAction:  jsii.String("sqs:DeleteMessage"),
		Parameters: &map[string]any{"QueueUrl": queue, "Entries": "{% $states.input.entries %}"},
		Outputs:    "{% {} %}",
	})
	del.AddRetry(retry())

	busy := tasks.CallAwsService_Jsonata(scope, jsii.String(StateBusy), &tasks.CallAwsServiceJsonataProps{
		Service: jsii.String("sfn"), Action: jsii.String("listExecutions"), IamAction: jsii.String("states:ListExecutions"),
		IamResources: &[]*string{p.target.StateMachineArn()},
		Parameters:   &map[string]any{"StateMachineArn": p.target.StateMachineArn(), "StatusFilter": "RUNNING", "MaxResults": 1},
		Outputs:      `{% {"folders": $states.input.folders, "busy": $count($append([], $states.result.Executions)) > 0} %}`,
	})
	busy.AddRetry(retry())
	// Jittered, so windows waiting on the same run do not all start the
	// moment it ends.
	waitRun := sfn.Wait_Jsonata(scope, jsii.String(StateWaitRun), &sfn.WaitJsonataProps{
		Time: sfn.WaitTime_Seconds(jsii.String("{% " + strconv.Itoa(busyPollSec) + " + $round($random() * 30) %}")),
	})

	input := map[string]any{}
	for k, v := range p.input {
		input[k] = v
	}
	input[p.inputKey] = "{% $states.input.folders %}"
	start := tasks.StepFunctionsStartExecution_Jsonata(scope, jsii.String(StateStart), &tasks.StepFunctionsStartExecutionJsonataProps{
		StateMachine: p.target,
		// Named after the window: a retry after a lost answer starts
		// nothing twice, and the run points back at the window.
		Name:    jsii.String(`{% $substring("` + p.runNamePrefix + `" & $states.context.Execution.Name, 0, 80) %}`),
		Input:   sfn.TaskInput_FromObject(&input),
		Outputs: "{% $states.result %}",
	})
	// The run exists already: started by this window before its answer
	// was lost. Not retried: caught below.
	start.AddRetry(&sfn.RetryProps{Errors: jsii.Strings(alreadyStarted), MaxAttempts: jsii.Number(0)})
	start.AddRetry(retry())
	started := sfn.NewSucceed(scope, jsii.String(StateStarted), nil)
	start.AddCatch(started, &sfn.CatchProps{Errors: jsii.Strings(alreadyStarted)})

	receive := sfn.Choice_Jsonata(scope, jsii.String("Any taken?"), nil).
		When(sfn.Condition_Jsonata(jsii.String("{% $count($states.input.entries) > 0 %}")), del.Next(take), nil).
		Otherwise(sfn.Choice_Jsonata(scope, jsii.String("Any arrivals?"), &sfn.ChoiceJsonataProps{
			Outputs: "{% {\"folders\": $folders} %}",
		}).
			When(sfn.Condition_Jsonata(jsii.String("{% $count($folders) > 0 %}")), busy, nil).
			Otherwise(sfn.NewSucceed(scope, jsii.String(StateNone), &sfn.SucceedProps{
				Comment: jsii.String("Another window took these arrivals."),
			})))
	take.Next(receive)
	busy.Next(sfn.Choice_Jsonata(scope, jsii.String("Busy?"), nil).
		When(sfn.Condition_Jsonata(jsii.String("{% $states.input.busy %}")), waitRun.Next(busy), nil).
		Otherwise(start.Next(started)))

	return enqueue.Next(quiet).Next(newest).Next(sfn.Choice_Jsonata(scope, jsii.String("Newest?"), nil).
		When(sfn.Condition_Jsonata(jsii.String("{% $states.input.newest %}")), take, nil).
		Otherwise(sfn.NewSucceed(scope, jsii.String(StateLater), &sfn.SucceedProps{
			Comment: jsii.String("A later arrival's window is still open; it takes this one too."),
		})))
}

// retry backs off from throttling and transient service errors.
func retry() *sfn.RetryProps {
	return &sfn.RetryProps{
		Errors:         jsii.Strings("States.TaskFailed"),
		Interval:       awscdk.Duration_Seconds(jsii.Number(2)),
		MaxAttempts:    jsii.Number(6),
		BackoffRate:    jsii.Number(2),
		MaxDelay:       awscdk.Duration_Seconds(jsii.Number(60)),
		JitterStrategy: sfn.JitterType_FULL,
	}
}
