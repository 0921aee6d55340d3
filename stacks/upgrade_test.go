package stacks_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/partialruns/velib-pipeline/internal/rehearse"
)

// deployed lists, by logical id, the resources of the deployed stack that an
// in-place upgrade must keep: those that hold data, and those with a fixed
// physical name, which CloudFormation would have to create anew, under the
// same name, before deleting the old one (and fail). It is kept by hand, not
// refreshed with the snapshots: changing it is a migration, not a refresh.
var deployed = map[string]string{
	"AccessLogs8B620ECA":       "AWS::S3::Bucket",
	"Data666C94C7":             "AWS::S3::Bucket",
	"DatabaseB269D8BB":         "AWS::Glue::Database",
	"Key961B73FD":              "AWS::KMS::Key",
	"LoadDataLogsB4575A30":     "AWS::Logs::LogGroup",
	"StateMachineLogs3CB16D3C": "AWS::Logs::LogGroup",
	"StateMachine2E01A3A5":     "AWS::StepFunctions::StateMachine",
	"RawToSilverC9205871":      "AWS::Glue::Job",
	"AvgStatsEFCA9424":         "AWS::Glue::Job",
	"AvailPercent69638D38":     "AWS::Glue::Job",
	"FailuresTopic8CFD5254":    "AWS::SNS::Topic",
	"GlueSecurity04AF0E84":     "AWS::Glue::SecurityConfiguration",
	// The Glue jobs' own log groups, owned by the stack since the
	// security review (before, Glue created /aws-glue/jobs/* itself).
	"RawToSilverOutputLogs82B0D446":  "AWS::Logs::LogGroup",
	"RawToSilverErrorLogsE7E366EF":   "AWS::Logs::LogGroup",
	"AvgStatsOutputLogs8C10F8BC":     "AWS::Logs::LogGroup",
	"AvgStatsErrorLogsF1D3F035":      "AWS::Logs::LogGroup",
	"AvailPercentOutputLogs669B4B8D": "AWS::Logs::LogGroup",
	"AvailPercentErrorLogsBF2B655E":  "AWS::Logs::LogGroup",
	// Where Glue 5.0 writes with CloudWatch encryption on (issue 30).
	"RawToSilverSecureOutputLogs75722F09":  "AWS::Logs::LogGroup",
	"RawToSilverSecureErrorLogs7CE4E49E":   "AWS::Logs::LogGroup",
	"AvgStatsSecureOutputLogsFA7EC2C7":     "AWS::Logs::LogGroup",
	"AvgStatsSecureErrorLogs0D3A803B":      "AWS::Logs::LogGroup",
	"AvailPercentSecureOutputLogs951C5D83": "AWS::Logs::LogGroup",
	"AvailPercentSecureErrorLogs20ACE5DC":  "AWS::Logs::LogGroup",
	// Not data, but executions in flight during an upgrade keep the role
	// they started with: a replacement would delete it under them.
	"StateMachineRoleB840431D": "AWS::IAM::Role",
	// Named since the security review, so that the policies that let
	// EventBridge and CloudWatch act for them can name their ARNs.
	"FailuresRule7623676C":        "AWS::Events::Rule",
	"FailuresUndelivered3DFF35B7": "AWS::CloudWatch::Alarm",
	// The default schedules, their group and their alarm.
	"SchedulesGroupD276B6F4":       "AWS::Scheduler::ScheduleGroup",
	"SchedulesdailyA283C8C9":       "AWS::Scheduler::Schedule",
	"Schedulesingest2A9163DF":      "AWS::Scheduler::Schedule",
	"SchedulesUndelivered227B55D0": "AWS::CloudWatch::Alarm",
	"NoSnapshotsAlarm32AFFCC3":     "AWS::CloudWatch::Alarm",
	// The Iceberg tables' maintenance job, its logs and its daily trigger
	// (issue 32).
	"MaintenanceJobE2CEDF0E":              "AWS::Glue::Job",
	"MaintenanceOutputLogs7F19CF6E":       "AWS::Logs::LogGroup",
	"MaintenanceErrorLogsFF4A330D":        "AWS::Logs::LogGroup",
	"MaintenanceSecureOutputLogs24A7522A": "AWS::Logs::LogGroup",
	"MaintenanceSecureErrorLogs8456888C":  "AWS::Logs::LogGroup",
	"Housekeeping":                        "AWS::Glue::Trigger",
}

// deployedWithEmail adds what the configuration with an e-mail address
// deployed: its subscription, which a replacement would make the address
// confirm again.
var deployedWithEmail = map[string]string{
	"FailuresTopicopsexampleorgCC67BA21": "AWS::SNS::Subscription",
}

// deployedWithEventRuns adds what the configuration with event runs
// deployed (issue 33): the window, its role (a window in flight keeps
// it), its logs, its rule and alarm, which have fixed names, and the queue
// of arrivals not yet run.
var deployedWithEventRuns = map[string]string{
	"ArrivalsWindowE412E15D":       "AWS::StepFunctions::StateMachine",
	"ArrivalsRole71ED3EC1":         "AWS::IAM::Role",
	"ArrivalsLogs438F70AE":         "AWS::Logs::LogGroup",
	"ArrivalsRuleE4B7D1F9":         "AWS::Events::Rule",
	"ArrivalsUndelivered0D9581A1":  "AWS::CloudWatch::Alarm",
	"ArrivalsStrandedKeys6ACAB676": "AWS::CloudWatch::Alarm",
	"ArrivalsQueueC4D3E9A9":        "AWS::SQS::Queue",
}

// physicalNames are the properties that fix a resource's name.
var physicalNames = []string{"Name", "AlarmName", "TopicName", "StateMachineName", "LogGroupName", "FunctionName", "RoleName", "BucketName", "QueueName"}

// TestUpgradeKeepsLogicalIDs fails when a change would replace a resource
// that holds data or has a fixed name: every such resource of the deployed
// stack is still there under its logical id, and every such resource in the
// template is one of them (or was added to the list on purpose).
func TestUpgradeKeepsLogicalIDs(t *testing.T) {
	for _, ctx := range configurations {
		resources := synth(t, ctx).JSON["Resources"].(map[string]any)
		want := maps.Clone(deployed)
		if ctx != nil {
			maps.Copy(want, deployedWithEmail)
			maps.Copy(want, deployedWithEventRuns)
		}
		for id, typ := range want {
			r, ok := resources[id].(map[string]any)
			switch {
			case !ok:
				t.Errorf("%v: %s (%s) is gone: an upgrade would replace it; keep its logical id or add a migration", ctx, id, typ)
			case r["Type"] != typ:
				t.Errorf("%v: %s is now a %v, was a %s", ctx, id, r["Type"], typ)
			}
		}
		for id, raw := range resources {
			r := raw.(map[string]any)
			typ, _ := r["Type"].(string)
			if _, listed := want[id]; listed || strings.HasPrefix(typ, "Custom::") {
				continue
			}
			if slices.Contains(rehearse.Stateful, typ) {
				t.Errorf("%v: new %s %s holds data: add it to the deployed list", ctx, typ, id)
			}
			props, _ := r["Properties"].(map[string]any)
			for _, name := range physicalNames {
				if _, fixed := props[name].(string); fixed {
					t.Errorf("%v: new %s %s has a fixed %s: add it to the deployed list", ctx, typ, id, name)
				}
			}
		}
	}
}
