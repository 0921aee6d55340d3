package stacks

import (
	"strconv"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsglue"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/constructs/sparkjob"
	"github.com/partialruns/velib-pipeline/internal/layout"
)

// Housekeeping defaults, which the maintenance job's arguments carry: a
// snapshot is kept KeepDays (so an execution can be undone for that long
// after the commit before it), and a file no snapshot refers to is removed
// once OrphanDays old (far longer than a job run lasts).
const (
	KeepDays   = 7
	OrphanDays = 3
	// housekeepingSchedule runs it daily, after the daily refinement.
	housekeepingSchedule = "cron(15 3 * * ? *)"
)

// newMaintenance defines the job that keeps the Iceberg tables (snapshot
// expiry and orphan-file removal, daily by a Glue trigger) and undoes an
// execution's commits (partialrun undo starts it with --action undo). It
// is the only job that may delete objects under the tables' prefixes.
func newMaintenance(scope constructs.Construct, cfg Config, common func(id, flag, description string) sparkjob.Props) *sparkjob.Job {
	p := common("Maintenance", layout.FlagMaintenance,
		"Keeps the Iceberg tables (expires snapshots older than "+strconv.Itoa(KeepDays)+" days, removes unreferenced files) and undoes an execution's commits.")
	p.Prunes, p.WriteTables = tablePrefixes(), layout.Tables
	p.Arguments["--tables"] = strings.Join(layout.Tables, ",")
	p.Arguments["--action"] = "housekeeping"
	p.Arguments["--keep_days"] = strconv.Itoa(KeepDays)
	p.Arguments["--orphan_days"] = strconv.Itoa(OrphanDays)
	j := sparkjob.New(scope, jsii.String("Maintenance"), &p)
	awsglue.NewCfnTrigger(scope, jsii.String("Housekeeping"), &awsglue.CfnTriggerProps{
		Name:            jsii.String(cfg.NamePrefix + "-housekeeping"),
		Description:     jsii.String("Starts the maintenance job's housekeeping daily."),
		Type:            jsii.String("SCHEDULED"),
		Schedule:        jsii.String(housekeepingSchedule),
		StartOnCreation: jsii.Bool(cfg.SchedulesEnabled),
		Actions:         []any{&awsglue.CfnTrigger_ActionProperty{JobName: j.Name}},
	})
	return j
}
