package stacks_test

import (
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/partialruns/velib-pipeline/constructs/schedule"
	"github.com/partialruns/velib-pipeline/constructs/skippable/contract"
	"github.com/partialruns/velib-pipeline/constructs/skippable/render"
	"github.com/partialruns/velib-pipeline/internal/layout"
	ingest "github.com/partialruns/velib-pipeline/lambda/loaddata/ingest"
	"github.com/partialruns/velib-pipeline/stacks"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// designFlags are the original project's flag names, verbatim: the execution
// inputs it documented must keep working.
var designFlags = []string{
	"lambda_load_data",
	"velib_raw_to_silver",
	"velib_silver_to_gold_avg_stats",
	"velib_silver_to_gold_avail_percent",
}

func TestStateMachine(t *testing.T) {
	s := synth(t, nil)
	s.Has(t, "AWS::StepFunctions::StateMachine", map[string]any{
		"StateMachineType":     "STANDARD",
		"TracingConfiguration": map[string]any{"Enabled": true},
		"LoggingConfiguration": assertions.Match_ObjectLike(&map[string]any{"Level": "ALL", "IncludeExecutionData": true}),
	})
	def := definition(t, s)
	states := allStates(def)

	assert.Equal(t, contract.ValidateName, def["StartAt"])
	assert.Equal(t, "JSONata", states[contract.ValidateName]["QueryLanguage"], "validation is a JSONata state")
	assert.Equal(t, "InvalidInput", states[contract.InvalidName]["Error"])
	assert.NotContains(t, def, "QueryLanguage", "the machine as a whole stays JSONPath")
	assert.Greater(t, def["TimeoutSeconds"], float64(3600), "the machine outlasts a Glue job's own 60-minute timeout")

	// One guard per flag, each reading exactly its own flag.
	var guarded []string
	for name, st := range states {
		if st["Type"] != "Choice" || name == contract.ValidateName || !strings.HasPrefix(name, "Run ") {
			continue
		}
		flag := strings.TrimSuffix(strings.TrimPrefix(name, "Run "), "?")
		assert.Equal(t, contract.GuardName(flag), name)
		for _, rule := range st["Choices"].([]any) {
			assert.Equal(t, contract.FlagPath(flag), rule.(map[string]any)["Variable"], "guard %q", name)
		}
		guarded = append(guarded, flag)
	}
	sort.Strings(guarded)
	want := append([]string(nil), designFlags...)
	sort.Strings(want)
	assert.Equal(t, want, guarded)

	tasks := map[string]string{
		"Load data":          "arn:aws:states:::lambda:invoke",
		"Load data again":    "arn:aws:states:::lambda:invoke",
		"Raw to silver":      "arn:aws:states:::glue:startJobRun.sync",
		"Gold avg stats":     "arn:aws:states:::glue:startJobRun.sync",
		"Gold avail percent": "arn:aws:states:::glue:startJobRun.sync",
	}
	// The body each flag guards, by its first state.
	flagOf := map[string]string{
		"Load each system": designFlags[0], "Raw to silver": designFlags[1],
		"Gold avg stats": designFlags[2], "Gold avail percent": designFlags[3],
	}
	for name, resource := range tasks {
		st := states[name]
		require.NotNil(t, st, "task %q", name)
		assert.Equal(t, resource, st["Resource"], "task %q", name)
		// A result beside the input, or none (DISCARD renders as null).
		rp, set := st["ResultPath"]
		path, _ := rp.(string)
		assert.True(t, set && (rp == nil || strings.HasPrefix(path, "$.") && !strings.HasPrefix(path, "$."+contract.RunsKey)),
			"task %q keeps the input and the runs record intact (ResultPath %v)", name, rp)
		assert.NotEmpty(t, st["Retry"], "task %q retries transient errors", name)
	}
	for name, flag := range flagOf {
		assert.Equal(t, contract.RecordName(flag), finalNext(states, name), "the body of %q leads to the Pass that records it", flag)
	}
	// Each guard's run rules lead to its own task.
	for name, flag := range flagOf {
		for _, rule := range states[contract.GuardName(flag)]["Choices"].([]any) {
			assert.Equal(t, name, rule.(map[string]any)["Next"])
		}
	}
	// Sequential skips go straight on; gold skips end their branch.
	assert.Equal(t, "Any system to refine?", states[contract.GuardName(designFlags[0])]["Default"])
	assert.Equal(t, "Any system to load again?", states["Any system to refine?"]["Default"])
	assert.Equal(t, "Gold", states[contract.GuardName(designFlags[1])]["Default"])
	assert.Equal(t, contract.SkipName(designFlags[2]), states[contract.GuardName(designFlags[2])]["Default"])
	assert.Equal(t, contract.SkipName(designFlags[3]), states[contract.GuardName(designFlags[3])]["Default"])
	assert.Equal(t, "Parallel", states["Gold"]["Type"])
	assert.Len(t, states["Gold"]["Branches"], 2)
	assert.True(t, render.IsFold(states["Gold"]), "Gold merges its branches' runs records")
	assert.Equal(t, "Any system to load again?", states[render.FoldName("Gold")]["Next"])
	assert.Equal(t, "Done", states["Any system to load again?"]["Default"])
	assert.Equal(t, "Any system to refine?", states["Sort the recovered systems"]["Next"], "the recovered systems go back to refine")
	assert.Equal(t, "Succeed", states["Done"]["Type"])

	// One Catch only: the first ingest's, which keeps one system's failure
	// from stopping the others; the second ingest of that system has none,
	// so its failure fails the execution where a redrive restarts it.
	for name, st := range states {
		if name == "Load data" {
			assert.Equal(t, "Note the system's failure", st["Catch"].([]any)[0].(map[string]any)["Next"])
			continue
		}
		assert.NotContains(t, st, "Catch", "state %q: a caught failure would redrive into the catch path", name)
	}
}

// finalNext follows Next from name through the states that carry no work
// (Pass states) to the first that is a record Pass or not a Pass.
func finalNext(states map[string]map[string]any, name string) string {
	next, _ := states[name]["Next"].(string)
	for states[next]["Type"] == "Pass" && !strings.HasPrefix(next, contract.RecordName("")) {
		next, _ = states[next]["Next"].(string)
	}
	return next
}

func TestRetriesAreForTransientErrorsOnly(t *testing.T) {
	states := allStates(definition(t, synth(t, nil)))
	transient := map[string]bool{
		"Lambda.ServiceException": true, "Lambda.AWSLambdaException": true, "Lambda.SdkClientException": true,
		"Lambda.TooManyRequestsException": true, "Glue.ConcurrentRunsExceededException": true,
		"Glue.InternalServiceException": true, "Glue.OperationTimeoutException": true, "Glue.ThrottlingException": true,
	}
	concurrency := 0
	for name, st := range states {
		retries, _ := st["Retry"].([]any)
		for _, r := range retries {
			retry := r.(map[string]any)
			for _, e := range retry["ErrorEquals"].([]any) {
				assert.True(t, transient[e.(string)], "state %q retries %v, which is not transient", name, e)
				if e == "Glue.ConcurrentRunsExceededException" {
					concurrency++
				}
			}
			assert.Equal(t, "FULL", retry["JitterStrategy"], "state %q", name)
			assert.Contains(t, retry, "MaxDelaySeconds", "state %q caps its backoff", name)
			assert.Equal(t, float64(2), retry["BackoffRate"], "state %q", name)
		}
	}
	assert.Equal(t, 3, concurrency, "every Glue task waits out a concurrent run")
}

func TestGlueJobs(t *testing.T) {
	s := synth(t, nil)
	jobs := s.Resources("AWS::Glue::Job")
	require.Len(t, jobs, 4)
	names := map[string]bool{}
	for id, j := range jobs {
		p := j["Properties"].(map[string]any)
		names[p["Name"].(string)] = true
		assert.Equal(t, "5.0", p["GlueVersion"], id)
		assert.Equal(t, "G.1X", p["WorkerType"], id)
		assert.Equal(t, float64(2), p["NumberOfWorkers"], id)
		assert.Equal(t, float64(60), p["Timeout"], id)
		assert.Equal(t, map[string]any{"MaxConcurrentRuns": float64(1)}, p["ExecutionProperty"], id)
		assert.NotEmpty(t, p["SecurityConfiguration"], id)
		args := p["DefaultArguments"].(map[string]any)
		for _, a := range []string{"--enable-metrics", "--custom-logGroup-prefix", "--enable-spark-ui",
			"--spark-event-logs-path", "--TempDir", "--bucket", "--database", "--extra-py-files"} {
			assert.Contains(t, args, a, id)
		}
		// Every job reaches the tables as Iceberg's, by the same catalog.
		assert.Equal(t, "iceberg", args["--datalake-formats"], id)
		assert.Equal(t, layout.IcebergCatalog, args["--catalog"], id)
		if p["Name"] == "velib-maintenance" {
			assert.Equal(t, "housekeeping", args["--action"], id)
			assert.Equal(t, strings.Join(layout.Tables, ","), args["--tables"], id)
		} else {
			assert.Contains(t, args, "--target_table", id)
			assert.Contains(t, args, "--target_path", id)
		}
		assert.Equal(t, "python", args["--job-language"], id)
	}
	// The prefix once, then what the job does: no velib-velib_….
	assert.Equal(t, map[string]bool{
		"velib-raw-to-silver": true, "velib-silver-to-gold-avg-stats": true, "velib-silver-to-gold-avail-percent": true,
		"velib-maintenance": true,
	}, names)
	// Housekeeping runs daily, and starts with the schedules.
	s.Has(t, "AWS::Glue::Trigger", map[string]any{
		"Type": "SCHEDULED", "Schedule": "cron(15 3 * * ? *)", "StartOnCreation": true,
		"Actions": []any{map[string]any{"JobName": map[string]any{"Ref": "MaintenanceJobE2CEDF0E"}}},
	})

	s.Has(t, "AWS::Glue::Database", map[string]any{"DatabaseInput": map[string]any{
		"Name": "velib_lake", "Description": assertions.Match_AnyValue(),
	}})
	s.Has(t, "AWS::Glue::SecurityConfiguration", map[string]any{"EncryptionConfiguration": map[string]any{
		"S3Encryptions":          []any{map[string]any{"S3EncryptionMode": "SSE-S3"}},
		"CloudWatchEncryption":   assertions.Match_ObjectLike(&map[string]any{"CloudWatchEncryptionMode": "SSE-KMS"}),
		"JobBookmarksEncryption": assertions.Match_ObjectLike(&map[string]any{"JobBookmarksEncryptionMode": "CSE-KMS"}),
	}})
}

func TestIngestLambda(t *testing.T) {
	s := synth(t, nil)
	s.Has(t, "AWS::Lambda::Function", map[string]any{
		"Runtime":       "provided.al2023",
		"Architectures": []any{"arm64"},
		"Handler":       "bootstrap",
		"MemorySize":    256,
		"Timeout":       60,
		"TracingConfig": map[string]any{"Mode": "Active"},
		"LoggingConfig": assertions.Match_ObjectLike(&map[string]any{"LogGroup": assertions.Match_AnyValue()}),
		"Environment": map[string]any{"Variables": assertions.Match_ObjectLike(&map[string]any{
			"SYSTEMS": `[{"id":"velib","url":"` + stacks.DefaultConfig.Systems[0].URL + `"}]`, "RAW_PREFIX": "raw/"})},
	})
	s.Has(t, "AWS::Logs::LogGroup", map[string]any{"RetentionInDays": 30})
}

func TestBuckets(t *testing.T) {
	s := synth(t, nil)
	buckets := s.Resources("AWS::S3::Bucket")
	require.Len(t, buckets, 2)
	for id, b := range buckets {
		assert.Equal(t, "Retain", b["DeletionPolicy"], "%s is kept by default", id)
		p := b["Properties"].(map[string]any)
		assert.Equal(t, map[string]any{"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true},
			p["PublicAccessBlockConfiguration"], id)
		assert.Equal(t, "AES256", p["BucketEncryption"].(map[string]any)["ServerSideEncryptionConfiguration"].([]any)[0].(map[string]any)["ServerSideEncryptionByDefault"].(map[string]any)["SSEAlgorithm"], id)
	}
	s.Has(t, "AWS::S3::Bucket", map[string]any{
		"VersioningConfiguration": map[string]any{"Status": "Enabled"},
		"LoggingConfiguration":    assertions.Match_ObjectLike(&map[string]any{"LogFilePrefix": "data/"}),
		"LifecycleConfiguration": map[string]any{"Rules": assertions.Match_ArrayWith(&[]any{
			assertions.Match_ObjectLike(&map[string]any{"Prefix": "tmp/", "ExpirationInDays": 7, "Status": "Enabled"}),
			assertions.Match_ObjectLike(&map[string]any{"Prefix": "logs/", "ExpirationInDays": 30, "Status": "Enabled"}),
		})},
	})
	// EnforceSSL: every bucket policy denies requests without TLS.
	policies := s.Resources("AWS::S3::BucketPolicy")
	require.Len(t, policies, 2)
	for id, p := range policies {
		doc := p["Properties"].(map[string]any)["PolicyDocument"].(map[string]any)
		found := false
		for _, st := range doc["Statement"].([]any) {
			stmt := st.(map[string]any)
			if stmt["Effect"] == "Deny" && stmt["Condition"] != nil {
				cond := stmt["Condition"].(map[string]any)["Bool"].(map[string]any)
				found = found || cond["aws:SecureTransport"] == "false"
			}
		}
		assert.True(t, found, "%s denies non-TLS access", id)
	}
}

func TestRemovalPolicyDestroy(t *testing.T) {
	s := synth(t, map[string]any{"removalPolicy": "destroy"})
	for id, b := range s.Resources("AWS::S3::Bucket") {
		assert.Equal(t, "Delete", b["DeletionPolicy"], id)
	}
	assert.Len(t, s.Resources("Custom::S3AutoDeleteObjects"), 2, "objects are emptied before the buckets go")
}

func TestFailureNotifications(t *testing.T) {
	s := synth(t, nil)
	s.Has(t, "AWS::SNS::Topic", map[string]any{"KmsMasterKeyId": assertions.Match_AnyValue()})
	s.Has(t, "AWS::Events::Rule", map[string]any{"EventPattern": map[string]any{
		"source":      []any{"aws.states"},
		"detail-type": []any{"Step Functions Execution Status Change"},
		"detail":      map[string]any{"status": []any{"FAILED", "TIMED_OUT", "ABORTED"}, "stateMachineArn": assertions.Match_AnyValue()},
	}})
	assert.Empty(t, s.Resources("AWS::SNS::Subscription"), "no subscription without an address")

	withEmail := synth(t, map[string]any{"notificationEmail": "ops@example.org"})
	withEmail.Has(t, "AWS::SNS::Subscription", map[string]any{"Protocol": "email", "Endpoint": "ops@example.org"})
}

func TestOutputs(t *testing.T) {
	outputs := synth(t, nil).JSON["Outputs"].(map[string]any)
	for _, name := range []string{"BucketName", "DatabaseName", "StateMachineArn", "StateMachineConsoleUrl"} {
		assert.Contains(t, outputs, name)
	}
}

// TestNoSchedules: with no schedules the stack has none of their
// resources, and their nag suppressions and checkov skips stand aside.
func TestNoSchedules(t *testing.T) {
	tpl := synth(t, map[string]any{"schedules": map[string]any{}})
	for _, typ := range []string{"AWS::Scheduler::Schedule", "AWS::Scheduler::ScheduleGroup"} {
		assert.Empty(t, tpl.Resources(typ), typ)
	}
	assert.Len(t, tpl.Resources("AWS::SQS::Queue"), 1, "the alerts' dead-letter queue only")
	assert.Empty(t, tpl.Resources("AWS::Logs::MetricFilter"), "no schedule ingests: no snapshot is due")
	for _, r := range tpl.Resources("AWS::Events::Rule") {
		detail := r["Properties"].(map[string]any)["EventPattern"].(map[string]any)["detail"].(map[string]any)
		assert.NotContains(t, detail, "name", "no quiet schedule: every failed execution is e-mailed")
	}
}

// TestQuietIngest: the failure e-mails leave out the quiet ingest
// schedule's executions, whose outage the no-snapshots alarm reports once.
func TestQuietIngest(t *testing.T) {
	synth(t, nil).Has(t, "AWS::Events::Rule", map[string]any{"EventPattern": map[string]any{"detail": assertions.Match_ObjectLike(&map[string]any{
		"name": []any{map[string]any{"anything-but": map[string]any{"prefix": schedule.QuietPrefix}}},
	})}})
}

// TestNoSnapshotsAlarm: while a schedule runs the ingest, an hour without
// a "snapshot written" line from the function e-mails the failure topic's
// subscribers; with the schedules turned off, the alarm's actions are too.
func TestNoSnapshotsAlarm(t *testing.T) {
	for _, tc := range []struct {
		ctx     map[string]any
		actions bool
	}{{nil, true}, {map[string]any{"schedulesEnabled": false}, false}} {
		tpl := synth(t, tc.ctx)
		tpl.Has(t, "AWS::Logs::MetricFilter", map[string]any{
			"LogGroupName":  map[string]any{"Ref": "LoadDataLogsB4575A30"},
			"FilterPattern": `{ $.msg = "` + ingest.MsgSnapshotWritten + `" }`,
		})
		tpl.Has(t, "AWS::CloudWatch::Alarm", map[string]any{
			"AlarmName": "velib-pipeline-no-snapshots", "Period": 3600, "TreatMissingData": "breaching",
			"ActionsEnabled": tc.actions, "AlarmActions": []any{map[string]any{"Ref": "FailuresTopic8CFD5254"}},
		})
	}
}
