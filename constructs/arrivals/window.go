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

// State names of the window, which the tests and the rehearsal read.
const (
	StateHandedOver = "Handed over?"
	StateQueue      = "Queue the arrival"
	StateQuiet      = "Quiet window"
	StateNewest     = "Newest arrival?"
	StateBusy       = "Run in progress?"
	StateWaitRun    = "Wait for the run"
	StateStillNew   = "Still the newest?"
	StateTake       = "Take the arrivals"
	StateDelete     = "Delete the taken"
	StateStart      = "Start the run"
	StateHandOver   = "Hand over the rest"
	StateLater      = "A later arrival holds the window"
	StateNone       = "Nothing left to run"
	StateStarted    = "Run started"
	// HandOver is the input of a window started by another to take what
	// it left on the queue.
	HandOver = `{"handover": true}`
	// alreadyStarted is Step Functions' error for a name taken by a run
	// that ended (a running one with the same input is no error).
	alreadyStarted = "SFN.ExecutionAlreadyExistsException"
	receiveMax     = 10 // SQS's most per call
	busyPollSec    = 60 // between looks at the target's runs, plus up to a minute
	visibilitySec  = 60 // a taken key comes back if not deleted by then
)

// windowProps are what the window's definition needs.
type windowProps struct {
	queue         awssqs.IQueue
	target        sfn.IStateMachine
	self          *string // the window's own ARN, from its fixed name
	quiet         awscdk.Duration
	folders       int
	maxTakes      int
	inputKey      string
	input         map[string]any
	runNamePrefix string
}

// definition is the window: see the package documentation. Every state is
// JSONata.
func definition(scope constructs.Construct, p windowProps) sfn.IChainable {
	queue := p.queue.QueueUrl()
	queueArn := p.queue.QueueArn()
	task := func(id, service, action, iamAction string, resource *string, args map[string]any) tasks.CallAwsService {
		t := tasks.CallAwsService_Jsonata(scope, jsii.String(id), &tasks.CallAwsServiceJsonataProps{
			Service: jsii.String(service), Action: jsii.String(action), IamAction: jsii.String(iamAction),
			IamResources: &[]*string{resource}, Parameters: &args,
		})
		t.AddRetry(retry())
		return t
	}
	// Executions are listed newest first; the one that started last
	// closes the window. Ties in start time keep the API's order, which is
	// the same for every caller.
	newest := func(id string) tasks.CallAwsService {
		return task(id, "sfn", "listExecutions", "states:ListExecutions", p.self,
			map[string]any{"StateMachineArn": "{% $states.context.StateMachine.Id %}", "StatusFilter": "RUNNING", "MaxResults": 1})
	}
	// Read by the Choice after the listing, whose input is its result.
	isNewest := "{% $states.input.Executions[0].ExecutionArn = $states.context.Execution.Id %}"
	later := sfn.NewSucceed(scope, jsii.String(StateLater), &sfn.SucceedProps{
		Comment: jsii.String("A later arrival's window is still open; it takes this one too."),
	})

	enqueue := task(StateQueue, "sqs", "sendMessage", "sqs:SendMessage", queueArn,
		map[string]any{"QueueUrl": queue, "MessageBody": "{% $states.input.detail.object.key %}"})
	quiet := sfn.Wait_Jsonata(scope, jsii.String(StateQuiet), &sfn.WaitJsonataProps{
		Time: sfn.WaitTime_Seconds(jsii.String("{% " + strconv.Itoa(int(*p.quiet.ToSeconds(nil))) + " %}")),
	})
	first := newest(StateNewest)

	busy := task(StateBusy, "sfn", "listExecutions", "states:ListExecutions", p.target.StateMachineArn(),
		map[string]any{"StateMachineArn": p.target.StateMachineArn(), "StatusFilter": "RUNNING", "MaxResults": 1})
	// Jittered over a minute, so windows waiting on the same run do not
	// all look again at once.
	waitRun := sfn.Wait_Jsonata(scope, jsii.String(StateWaitRun), &sfn.WaitJsonataProps{
		Time: sfn.WaitTime_Seconds(jsii.String("{% " + strconv.Itoa(busyPollSec) + " + $floor($random() * 60) %}")),
	})

	// Looked at again once the target is free: a window that waited may
	// have been overtaken by a later one, which then takes everything, so
	// runs merge instead of queueing one per window.
	still := newest(StateStillNew)

	// A key's first folders: "a/b/c/d.json" with 3 folders is "a/b/c/". A
	// key with fewer, or one whose name or folder starts with "." or "_"
	// (a folder marker the console made above the day, a .DS_Store, a
	// tool's _SUCCESS), is left out (cut to ""): it holds nothing a run
	// would read.
	// Encoded slashes are decoded first, so every form of a key gives the
	// same folder.
	cut := `function($k) {(
		$parts := $split($replace($k, /%2[fF]/, "/"), "/");
		$hidden := $count($filter($parts, function($s) { $substring($s, 0, 1) in [".", "_"] })) > 0;
		$hidden ? ""
		: $count($parts) > ` + strconv.Itoa(p.folders) + ` ? $join($map([0..` + strconv.Itoa(p.folders-1) + `], function($i) { $parts[$i] }), "/") & "/"
		: $substring($k, $length($k) - 1) = "/" ? ""
		: $k
	)}`
	if p.folders == 0 {
		cut = `function($k) { $k }`
	}
	take := tasks.CallAwsService_Jsonata(scope, jsii.String(StateTake), &tasks.CallAwsServiceJsonataProps{
		Service: jsii.String("sqs"), Action: jsii.String("receiveMessage"), IamAction: jsii.String("sqs:ReceiveMessage"),
		IamResources: &[]*string{queueArn},
		Parameters: &map[string]any{
			"QueueUrl": queue, "MaxNumberOfMessages": receiveMax, "VisibilityTimeout": visibilitySec,
			// Long polling asks every SQS server, so an empty answer
			// means an empty queue.
			"WaitTimeSeconds": 2,
		},
		Assign: &map[string]any{
			"folders": `{% (
				$cut := ` + cut + `;
				$kept := $filter($map($append([], $states.result.Messages.Body), $cut), function($f) { $f != "" });
				$distinct($append($folders, $kept))
			) %}`,
			"takes": "{% $takes + 1 %}",
		},
		Outputs: `{% (
			$taken := $append([], $states.result.Messages);
			{"entries": $append([], $map([0..$count($taken) - 1], function($i) { {"Id": "m" & $i, "ReceiptHandle": $taken[$i].ReceiptHandle} }))}
		) %}`,
	})
	take.AddRetry(retry())
	// A key that fails to delete comes back after the visibility
	// timeout and runs its folder once more in a later window.
	del := task(StateDelete, "sqs", "deleteMessageBatch", "sqs:DeleteMessage", queueArn,
		map[string]any{"QueueUrl": queue, "Entries": "{% $states.input.entries %}"})

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
		Outputs: "{% $states.input %}",
	})
	// The run exists already: started by this window before its answer
	// was lost. Not retried: caught below.
	start.AddRetry(&sfn.RetryProps{Errors: jsii.Strings(alreadyStarted), MaxAttempts: jsii.Number(0)})
	start.AddRetry(retry())

	// A window stops taking after maxTakes receives, to stay far below an
	// execution's 25,000 history events, and starts a new window for the
	// rest once its own run is started, so that one waits its turn.
	handOver := task(StateHandOver, "sfn", "startExecution", "states:StartExecution", p.self,
		map[string]any{"StateMachineArn": "{% $states.context.StateMachine.Id %}", "Input": HandOver})
	started := sfn.NewSucceed(scope, jsii.String(StateStarted), nil)
	more := sfn.Choice_Jsonata(scope, jsii.String("More on the queue?"), nil).
		When(sfn.Condition_Jsonata(jsii.String("{% $states.input.more %}")), handOver.Next(started), nil).
		Otherwise(started)
	start.AddCatch(more, &sfn.CatchProps{Errors: jsii.Strings(alreadyStarted), Outputs: "{% {\"more\": $takes >= " + strconv.Itoa(p.maxTakes) + "} %}"})
	start.Next(more)

	arrivals := sfn.Choice_Jsonata(scope, jsii.String("Any arrivals?"), &sfn.ChoiceJsonataProps{
		Outputs: "{% {\"folders\": $folders, \"more\": $takes >= " + strconv.Itoa(p.maxTakes) + "} %}",
	}).
		When(sfn.Condition_Jsonata(jsii.String("{% $count($folders) > 0 %}")), start, nil).
		Otherwise(sfn.NewSucceed(scope, jsii.String(StateNone), &sfn.SucceedProps{
			Comment: jsii.String("Nothing was left on the queue to run."),
		}))
	take.Next(sfn.Choice_Jsonata(scope, jsii.String("Any taken?"), nil).
		When(sfn.Condition_Jsonata(jsii.String("{% $count($states.input.entries) > 0 %}")), del.Next(
			sfn.Choice_Jsonata(scope, jsii.String("Room for more?"), nil).
				When(sfn.Condition_Jsonata(jsii.String("{% $takes < "+strconv.Itoa(p.maxTakes)+" %}")), take, nil).
				Otherwise(arrivals)), nil).
		Otherwise(arrivals))

	still.Next(sfn.Choice_Jsonata(scope, jsii.String("Newest now?"), &sfn.ChoiceJsonataProps{
		Assign: &map[string]any{"folders": []any{}, "takes": 0},
	}).
		When(sfn.Condition_Jsonata(jsii.String(isNewest)), take, nil).
		Otherwise(later))
	busy.Next(sfn.Choice_Jsonata(scope, jsii.String("Busy?"), nil).
		When(sfn.Condition_Jsonata(jsii.String("{% $count($append([], $states.input.Executions)) > 0 %}")), waitRun.Next(busy), nil).
		Otherwise(still))
	first.Next(sfn.Choice_Jsonata(scope, jsii.String("Newest?"), nil).
		When(sfn.Condition_Jsonata(jsii.String(isNewest)), busy, nil).
		Otherwise(later))

	return sfn.Choice_Jsonata(scope, jsii.String(StateHandedOver), nil).
		When(sfn.Condition_Jsonata(jsii.String("{% $states.input.handover = true %}")), busy, nil).
		Otherwise(enqueue.Next(quiet).Next(first))
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
