// Package stacks holds the Vélib' pipeline stack: it wires the bucket, the
// Glue catalog and jobs, the ingest Lambda, the state machine and its failure
// alert together. The reusable parts live in ../constructs.
package stacks

import (
	"reflect"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/constructs/alert"
	"github.com/partialruns/velib-pipeline/internal/trust"
)

// PipelineStackProps configure [NewPipelineStack].
type PipelineStackProps struct {
	awscdk.StackProps
	// Config is the user's configuration; the zero value means DefaultConfig.
	Config Config
}

// NewPipelineStack defines the whole pipeline in one stack.
func NewPipelineStack(scope constructs.Construct, id string, props *PipelineStackProps) awscdk.Stack {
	var sprops awscdk.StackProps
	cfg := DefaultConfig
	if props != nil {
		sprops = props.StackProps
		if !reflect.DeepEqual(props.Config, Config{}) {
			cfg = props.Config
		}
	}
	if sprops.Description == nil {
		sprops.Description = jsii.String("Vélib' bike-share pipeline whose every step can be skipped, so part of it can be re-run.")
	}
	stack := awscdk.NewStack(scope, jsii.String(id), &sprops)

	key := newKey(stack, cfg)
	bucket, _ := newBuckets(stack, cfg)
	lake := newLake(stack, cfg, bucket, key)
	ingest, ingestLogs := newIngest(stack, cfg, bucket, key)

	definition, validate := newWorkflow(stack, workflowProps{
		fanout:       fanoutProps{ingest: ingest, concurrency: cfg.IngestConcurrency},
		systems:      cfg.systemIDs(),
		rawToSilver:  lake.rawToSilver.Name,
		avgStats:     lake.avgStats.Name,
		availPercent: lake.availPercent.Name,
		capacity:     capacityOf(cfg),
		arrivals:     arrivalRule{prefix: cfg.EventRuns.Prefix, systems: cfg.systemIDs()},
	})
	machine := newStateMachine(stack, cfg, definition, key)
	failures := alert.New(stack, jsii.String("Failures"), &alert.Props{
		StateMachine: machine,
		Key:          key,
		Name:         jsii.String(cfg.NamePrefix + "-pipeline-failures"),
		Email:        cfg.NotificationEmail,
		QuietPrefix:  cfg.quietPrefix(),
	})
	keepLogicalID(failures.Topic, deployedFailuresTopic)
	newSchedules(stack, cfg, machine, validate, failures, ingestLogs)
	newArrivals(stack, cfg, bucket, key, machine, failures)
	if failures.Subscription != nil {
		// A new subscription would have to be confirmed again.
		keepLogicalID(failures.Subscription, logicalIDAt("FailuresTopic", cfg.NotificationEmail, "Resource"))
	}

	output(stack, "BucketName", "Data bucket: raw snapshots and table files.", bucket.BucketName())
	output(stack, "DatabaseName", "Glue database holding the silver and gold tables.", lake.database.DatabaseName())
	output(stack, "MaintenanceJob", "Glue job that undoes an execution's commits (partialrun undo --job) and keeps the tables.", lake.maintenance.Name)
	output(stack, "StateMachineArn", "The pipeline state machine.", machine.StateMachineArn())
	output(stack, "StateMachineConsoleUrl", "Start executions here.", awscdk.Fn_Sub(
		jsii.String("https://${AWS::Region}.console.aws.amazon.com/states/home?region=${AWS::Region}#/statemachines/view/${Arn}"),
		&map[string]*string{"Arn": machine.StateMachineArn()}))
	suppress(stack, cfg)
	skipChecks(stack)
	return stack
}

// newStateMachine is the Standard state machine, traced, with every
// execution's events and data logged.
func newStateMachine(stack awscdk.Stack, cfg Config, definition sfn.IChainable, key awskms.IKey) sfn.StateMachine {
	name := cfg.NamePrefix + "-pipeline"
	return sfn.NewStateMachine(stack, jsii.String("StateMachine"), &sfn.StateMachineProps{
		StateMachineName: jsii.String(name),
		Role:             newStateMachineRole(stack, name),
		StateMachineType: sfn.StateMachineType_STANDARD,
		Comment:          jsii.String("Vélib' pipeline. Skip any step with its flag set to false, e.g. {\"lambda_load_data\": false}."),
		DefinitionBody:   sfn.DefinitionBody_FromChainable(definition),
		Timeout:          machineTimeout(cfg),
		TracingEnabled:   jsii.Bool(true),
		Logs: &sfn.LogOptions{
			Destination: awslogs.NewLogGroup(stack, jsii.String("StateMachineLogs"), &awslogs.LogGroupProps{
				LogGroupName:  jsii.String(stateMachineLogGroup(cfg)),
				Retention:     cfg.LogRetention(),
				EncryptionKey: key,
				RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
			}),
			Level:                sfn.LogLevel_ALL,
			IncludeExecutionData: jsii.Bool(true),
		},
	})
}

// newStateMachineRole is the role Step Functions may assume only for the
// state machine called name, in this account. The machine's ARN comes from
// its name: the machine depends on the role, so the role cannot refer to it.
func newStateMachineRole(stack awscdk.Stack, name string) awsiam.Role {
	machine := stack.FormatArn(&awscdk.ArnComponents{
		Service: jsii.String("states"), Resource: jsii.String("stateMachine"),
		ResourceName: jsii.String(name), ArnFormat: awscdk.ArnFormat_COLON_RESOURCE_NAME,
	})
	role := awsiam.NewRole(stack, jsii.String("StateMachineRole"), &awsiam.RoleProps{
		AssumedBy: trust.Service("states.amazonaws.com", machine),
	})
	// The logical id of the role CDK made before: executions in flight
	// during an upgrade keep the role they started with, which a
	// replacement would delete under them.
	keepLogicalID(role, deployedStateMachineRole)
	return role
}

// stateMachineLogGroup names the state machine's log group.
func stateMachineLogGroup(cfg Config) string {
	return "/aws/vendedlogs/states/" + cfg.NamePrefix + "-pipeline"
}

// machineTimeout outlasts the longest legitimate run (see machineMinutes).
func machineTimeout(cfg Config) awscdk.Duration {
	return awscdk.Duration_Minutes(jsii.Number(float64(machineMinutes(cfg))))
}

// refinePasses is how often one execution can refine: once for the
// systems the first ingest round loaded and once for those the second
// round recovered.
const refinePasses = 2

// machineMinutes is the longest legitimate run: both ingest rounds, then
// each refine pass's silver job and a gold job, each up to the longest
// timeout a run can get and each possibly waiting its turn behind a
// concurrent run of the same job, plus an hour of slack.
func machineMinutes(cfg Config) int {
	return ingestMinutes(cfg) + refinePasses*4*capacityOf(cfg).longestTimeout() + 60
}

func output(stack awscdk.Stack, id, description string, value *string) {
	awscdk.NewCfnOutput(stack, jsii.String(id), &awscdk.CfnOutputProps{
		Description: jsii.String(description),
		Value:       value,
	})
}
