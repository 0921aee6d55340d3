package stacks_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/partialruns/velib-pipeline/internal/snapshot"
	"github.com/stretchr/testify/assert"
)

// unscanned are the resource types in the template that neither cdk-nag nor
// checkov has a rule for, each with why that is acceptable. Anything else
// that neither evaluates fails TestEveryResourceIsScanned: cdk-nag's rules
// match aws-cdk-lib's L1 classes only, so a resource CDK adds as a plain
// CfnResource, such as the auto-delete function and its role, reaches
// cdk-nag unseen and must be checked by checkov.
var unscanned = map[string]string{
	"AWS::SNS::TopicPolicy":         "Its statements (TLS only; CloudWatch for the one alarm, in this account) are asserted by `alert.TestRuleAndTopic` and `alert.TestTrustIsScoped`.",
	"AWS::SQS::QueuePolicy":         "Its statements (TLS only; EventBridge for the one rule; SNS for the one topic) are asserted by `alert.TestUndeliveredAlertsAreKept`.",
	"AWS::SNS::Subscription":        "An e-mail endpoint; its dead-letter queue is asserted by `alert.TestEmail`.",
	"AWS::CloudWatch::Alarm":        "Holds no data and grants nothing; its action is asserted by `alert.TestUndeliveredNotifies`.",
	"AWS::Glue::Database":           "A database has no security setting of its own: the catalog's encryption is the account's AWS::Glue::DataCatalogEncryptionSettings, which a pipeline stack does not own.",
	"AWS::Logs::MetricFilter":       "Counts log lines into a metric; grants nothing and holds nothing (asserted by `alert.TestSilence` and `TestNoSnapshotsAlarm`).",
	"AWS::Scheduler::Schedule":      "Its target, role, retries, dead-letter queue and time window are asserted by `schedule.TestSchedules` and `schedule.TestRole`, its stored input by the synth's check; Scheduler encrypts it at rest with an AWS owned key.",
	"AWS::Scheduler::ScheduleGroup": "Holds nothing: a name, which the schedules' role's trust policy is scoped to.",
	"AWS::Glue::Trigger":            "Holds a schedule and the maintenance job's name; it runs the job with the job's own role, which cdk-nag and checkov check.",
	"Custom::S3AutoDeleteObjects":   "A request to CDK's auto-delete function, holding the bucket's name only; checkov checks the function and its role.",
}

// TestEveryResourceIsScanned: every resource of the template, in every
// configuration tested, is evaluated by cdk-nag or checked by checkov, or
// is of a type listed in unscanned; and every type listed is still in the
// template.
func TestEveryResourceIsScanned(t *testing.T) {
	present := map[string]bool{}
	for _, ctx := range configurations {
		log, tpl := synthNag(t, ctx), synth(t, ctx)
		checked := map[string]bool{}
		r := runCheckov(t, ctx)
		for _, list := range [][]checkovResult{r.Results.PassedChecks, r.Results.FailedChecks, r.Results.SkippedChecks} {
			for _, c := range list {
				checked[logicalID(c.Resource)] = true
			}
		}
		for id, raw := range tpl.JSON["Resources"].(map[string]any) {
			typ := raw.(map[string]any)["Type"].(string)
			if _, ok := unscanned[typ]; ok {
				present[typ] = true
				continue
			}
			assert.True(t, log.evaluated[id] || checked[id], "%v: %s (%s) is checked by neither cdk-nag nor checkov", ctx, id, typ)
		}
	}
	for typ := range unscanned {
		assert.True(t, present[typ], "%s is listed as unscanned but is in no template: remove it", typ)
	}
}

// TestUnscannedTable keeps docs/security.md's list of unscanned types
// generated from unscanned.
func TestUnscannedTable(t *testing.T) {
	types := make([]string, 0, len(unscanned))
	for typ := range unscanned {
		types = append(types, typ)
	}
	slices.Sort(types)
	var b strings.Builder
	b.WriteString("| type | why no scanner is needed |\n|---|---|\n")
	for _, typ := range types {
		fmt.Fprintf(&b, "| `%s` | %s |\n", typ, unscanned[typ])
	}
	snapshot.CheckSection(t, "../docs/security.md", "unscanned", b.String())
}
