package rehearse

// A Gap is something the emulator cannot do that this template needs.
type Gap struct {
	// What the template or a run needs.
	What string
	// Error is the emulator's own message.
	Error string
	// Handling is what the rehearsal does about it.
	Handling string
}

// Gaps are MiniStack 1.5.33's, as met by this stack. docs/rehearsal.md
// lists the same; TestGapsAreDocumented keeps the two together.
var Gaps = []Gap{
	{
		What:     "AWS::Glue::SecurityConfiguration in a template",
		Error:    "Template format error: Unrecognized resource types: [AWS::Glue::SecurityConfiguration]",
		Handling: "created through Glue's CreateSecurityConfiguration before the deploy; the rehearsal's template drops the resource and names it where it was referenced",
	},
	{
		What:     "a Glue job run from Step Functions (glue:startJobRun.sync)",
		Error:    "arn:aws:states:::glue:startJobRun.sync is not yet implemented in MiniStack",
		Handling: "executions that reach a Glue task are checked up to that task (its arguments, workers and timeout), then stop there",
	},
	{
		What:     "Step Functions TaskScheduled events without Parameters",
		Error:    "(no error)",
		Handling: "a Glue task's date and capacity are read from the input its state entered with",
	},
	{
		What:     "an arm64 Lambda binary on an x86_64 host",
		Error:    "exec format error",
		Handling: "the rehearsal's assembly builds the function for the host (context lambdaArchitecture), under an asset hash of its own",
	},
	{
		What:     "CloudWatch's DescribeAlarms from the Go SDK (Smithy RPC v2 CBOR)",
		Error:    "deserialization failed, failed to decode response body, slice len ... greater than remaining buf len",
		Handling: "the alarms are described in CloudWatch's Query protocol, which AWS serves too",
	},
	{
		What:     "EventBridge Scheduler firing a schedule",
		Error:    "(none: schedules are stored, never fired)",
		Handling: "the daily schedule's stored input is read back with GetSchedule and started by hand",
	},
	{
		What:     "resource replacement on update",
		Error:    "(none: most changes are applied in place)",
		Handling: "which resources an upgrade replaces is checked offline, with cdk diff against the baseline's template",
	},
}

// Substituted are the resource types the emulator's CloudFormation lacks:
// the rehearsal creates each through its service's API and takes it out of
// its template (Substitute).
var Substituted = map[string]bool{"AWS::Glue::SecurityConfiguration": true}
