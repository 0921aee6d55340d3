package stacks_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/internal/cdktest"
	"github.com/partialruns/velib-pipeline/internal/cfntext"
	"github.com/partialruns/velib-pipeline/internal/layout"
	"github.com/partialruns/velib-pipeline/internal/roletable"
	"github.com/partialruns/velib-pipeline/internal/snapshot"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNoWildcardActions(t *testing.T) {
	stmts := synth(t, nil).Statements()
	require.NotEmpty(t, stmts)
	for id, policy := range stmts {
		for _, st := range policy {
			for _, a := range cdktest.Strings(st["Action"]) {
				assert.False(t, a == "*" || strings.HasSuffix(a, ":*"), "%s allows %q", id, a)
			}
		}
	}
}

func TestLambdaWritesOnlyRaw(t *testing.T) {
	stmts := synth(t, nil).Statements()
	var lambda []map[string]any
	for id, st := range stmts {
		if strings.HasPrefix(id, "LoadDataRole") {
			lambda = st
		}
	}
	require.NotEmpty(t, lambda, "the ingest function's policy")
	s3 := 0
	for _, st := range lambda {
		for _, a := range cdktest.Strings(st["Action"]) {
			if !strings.HasPrefix(a, "s3:") {
				continue
			}
			s3++
			assert.Equal(t, "s3:PutObject", a)
			res := cdktest.Strings(st["Resource"])
			require.Len(t, res, 1)
			assert.True(t, strings.HasSuffix(res[0], `"/raw/*"]]}`), "the function may write only under raw/: %s", res[0])
		}
	}
	assert.Equal(t, 1, s3, "exactly one S3 permission")
}

func TestGlueJobsTouchOnlyTheirPrefixes(t *testing.T) {
	stmts := synth(t, nil).Statements()
	keys := func(prefixes ...string) []string {
		var out []string
		for _, p := range prefixes {
			out = append(out, "/"+p+"/*", "/"+p, "/"+p+"_$folder$")
		}
		return out
	}
	want := map[string]struct{ reads, writes []string }{
		"RawToSilverRole": {keys("raw", "arrivals"), keys("silver/velib_data_silver", "rejects/velib_data_rejects",
			"tmp/velib_raw_to_silver", "logs/spark-ui/velib_raw_to_silver")},
		"AvgStatsRole": {keys("silver/velib_data_silver"), keys("gold/velib_avg_stats_gold",
			"tmp/velib_silver_to_gold_avg_stats", "logs/spark-ui/velib_silver_to_gold_avg_stats")},
		"AvailPercentRole": {keys("silver/velib_data_silver"), keys("gold/velib_avail_percent_gold",
			"tmp/velib_silver_to_gold_avail_percent", "logs/spark-ui/velib_silver_to_gold_avail_percent")},
	}
	for role, w := range want {
		var reads, writes []string
		for id, policy := range stmts {
			if !strings.HasPrefix(id, role) {
				continue
			}
			for _, st := range policy {
				actions := strings.Join(cdktest.Strings(st["Action"]), ",")
				if !strings.Contains(actions, "s3:GetObject") {
					continue
				}
				for _, r := range cdktest.Strings(st["Resource"]) {
					if strings.Contains(r, "cdk-hnb659fds-assets") {
						continue // the job's script and library objects
					}
					suffix := r[strings.LastIndex(r, `"/`)+1 : strings.LastIndex(r, `"`)]
					if strings.Contains(actions, "s3:PutObject") {
						writes = append(writes, suffix)
					} else {
						reads = append(reads, suffix)
					}
				}
			}
		}
		assert.ElementsMatch(t, w.reads, reads, "%s reads", role)
		assert.ElementsMatch(t, w.writes, writes, "%s writes", role)
	}
}

// TestGoldJobsCannotAlterSilver: each Glue role may create and alter only
// the tables its job writes; the gold jobs read silver and nothing more.
func TestGoldJobsCannotAlterSilver(t *testing.T) {
	want := map[string][]string{
		"RawToSilverRole":  {"velib_data_silver", "velib_data_rejects"},
		"AvgStatsRole":     {"velib_avg_stats_gold"},
		"AvailPercentRole": {"velib_avail_percent_gold"},
	}
	for role, tables := range want {
		// and each table's pending definition while it is upgraded.
		for _, t := range tables {
			tables = append(tables, t+layout.PendingUpgradeSuffix)
		}
		var written []string
		for _, st := range statementsOf(t, role) {
			if !strings.Contains(strings.Join(cdktest.Strings(st["Action"]), ","), "glue:UpdateTable") {
				continue
			}
			for _, r := range cdktest.Strings(st["Resource"]) {
				if i := strings.LastIndex(r, `"/`); i >= 0 && strings.Contains(r, ":table/") {
					written = append(written, r[i+2:strings.LastIndex(r, `"`)])
				}
			}
		}
		assert.ElementsMatch(t, tables, written, "%s may alter", role)
	}
}

// TestNoRoleListsAWholeBucket: every s3:ListBucket carries an s3:prefix
// condition, and no role has CDK's s3:List* or s3:GetBucket* groups.
func TestNoRoleListsAWholeBucket(t *testing.T) {
	for _, ctx := range configurations {
		for id, policy := range synth(t, ctx).Statements() {
			for _, st := range policy {
				for _, a := range cdktest.Strings(st["Action"]) {
					assert.NotContains(t, []string{"s3:List*", "s3:GetBucket*", "s3:ListBucketVersions"}, a, "%v: %s", ctx, id)
					if a == "s3:ListBucket" {
						cond, _ := st["Condition"].(map[string]any)
						like, _ := cond["StringLike"].(map[string]any)
						assert.NotEmpty(t, like["s3:prefix"], "%v: %s lists a bucket without an s3:prefix condition", ctx, id)
					}
				}
			}
		}
	}
}

// statementsOf returns the statements of the policies whose logical id
// starts with prefix.
func statementsOf(t *testing.T, prefix string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for id, policy := range synth(t, nil).Statements() {
		if strings.HasPrefix(id, prefix) {
			out = append(out, policy...)
		}
	}
	require.NotEmpty(t, out, "policies of %s", prefix)
	return out
}

func TestStateMachineRole(t *testing.T) {
	var glueResources, lambdaResources []string
	for _, st := range statementsOf(t, "StateMachineRoleDefaultPolicy") {
		actions := strings.Join(cdktest.Strings(st["Action"]), ",")
		switch {
		case strings.Contains(actions, "glue:"):
			assert.ElementsMatch(t, []string{"glue:StartJobRun", "glue:GetJobRun", "glue:GetJobRuns", "glue:BatchStopJobRun"}, cdktest.Strings(st["Action"]))
			glueResources = append(glueResources, cdktest.Strings(st["Resource"])...)
		case strings.Contains(actions, "lambda:"):
			assert.Equal(t, "lambda:InvokeFunction", actions)
			lambdaResources = append(lambdaResources, cdktest.Strings(st["Resource"])...)
		}
	}
	require.Len(t, glueResources, 3, "start and poll exactly the three jobs")
	for _, job := range []string{"RawToSilver", "AvgStats", "AvailPercent"} {
		found := false
		for _, r := range glueResources {
			found = found || strings.Contains(r, `{"Ref":"`+job)
		}
		assert.True(t, found, "the role can run job %s", job)
	}
	require.NotEmpty(t, lambdaResources)
	for _, r := range lambdaResources {
		assert.Contains(t, r, `"LoadData`, "the role invokes only the ingest function")
	}
}

func TestEventsRolePublishesOnlyToTheTopic(t *testing.T) {
	topics := synth(t, nil).Resources("AWS::SNS::Topic")
	require.Len(t, topics, 1)
	var topic string
	for id := range topics {
		topic = id
	}
	var publish int
	for _, st := range statementsOf(t, "FailuresRuleEventsRole") {
		if strings.Join(cdktest.Strings(st["Action"]), ",") == "sns:Publish" {
			publish++
			assert.Equal(t, []string{`{"Ref":"` + topic + `"}`}, cdktest.Strings(st["Resource"]))
		}
	}
	assert.Equal(t, 1, publish)
}

func TestTopicIsEncryptedAndSSLOnly(t *testing.T) {
	s := synth(t, nil)
	s.Has(t, "AWS::SNS::Topic", map[string]any{"KmsMasterKeyId": map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^Key")), "Arn"}}})
	s.Has(t, "AWS::SNS::TopicPolicy", map[string]any{"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{
		assertions.Match_ObjectLike(&map[string]any{"Effect": "Deny", "Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}}}),
	})}})
}

// TestServiceRolesActOnlyForTheirResource: each role a service assumes on
// behalf of one resource, where the service documents aws:SourceArn and
// aws:SourceAccount for it, may be assumed only for that resource in this
// account. Lambda and Glue document neither for their execution roles; who
// may hand them a role is iam:PassRole's business.
func TestServiceRolesActOnlyForTheirResource(t *testing.T) {
	want := map[string]string{
		"states.amazonaws.com":    `arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:velib-pipeline`,
		"events.amazonaws.com":    `arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/velib-pipeline-failures`,
		"scheduler.amazonaws.com": `arn:${AWS::Partition}:scheduler:${AWS::Region}:${AWS::AccountId}:schedule-group/velib-pipeline`,
		"lambda.amazonaws.com":    "",
		"glue.amazonaws.com":      "",
	}
	tpl := synth(t, nil)
	seen := map[string]int{}
	for id, role := range tpl.Resources("AWS::IAM::Role") {
		doc := role["Properties"].(map[string]any)["AssumeRolePolicyDocument"].(map[string]any)
		sts := doc["Statement"].([]any)
		require.Len(t, sts, 1, id)
		st := sts[0].(map[string]any)
		service := st["Principal"].(map[string]any)["Service"].(string)
		source, known := want[service]
		require.True(t, known, "%s is assumed by %s, which this test does not know", id, service)
		seen[service]++
		if source == "" {
			assert.Nil(t, st["Condition"], id)
			continue
		}
		cond, _ := st["Condition"].(map[string]any)
		require.Len(t, cond, 2, id)
		account := cond["StringEquals"].(map[string]any)["aws:SourceAccount"]
		sources := cfntext.List(cond["ArnLike"].(map[string]any)["aws:SourceArn"])
		assert.Equal(t, "${AWS::AccountId}", cfntext.String(account), id)
		require.Len(t, sources, 1, id)
		assert.Equal(t, source, cfntext.String(sources[0]), id)
	}
	assert.Equal(t, map[string]int{"states.amazonaws.com": 1, "events.amazonaws.com": 1, "scheduler.amazonaws.com": 1, "lambda.amazonaws.com": 1, "glue.amazonaws.com": 4}, seen)
	tpl.Has(t, "AWS::StepFunctions::StateMachine", map[string]any{
		"RoleArn": map[string]any{"Fn::GetAtt": []any{"StateMachineRoleB840431D", "Arn"}},
	})
}

// TestRoleTable keeps docs/security.md's table of what each role may do
// generated from the template. It is rendered from the configuration with
// removalPolicy=destroy and event runs, whose only extra roles are CDK's
// auto-delete function's and the arrivals window's and rule's, as the doc
// says.
func TestRoleTable(t *testing.T) {
	full := synth(t, configurations[1])
	table, err := roletable.Markdown(full.JSON)
	require.NoError(t, err)
	snapshot.CheckSection(t, "../docs/security.md", "roles", table)

	extra := []string{}
	defaults := synth(t, nil).Resources("AWS::IAM::Role")
	for id := range full.Resources("AWS::IAM::Role") {
		if _, ok := defaults[id]; !ok {
			extra = append(extra, id)
		}
	}
	slices.Sort(extra)
	assert.Equal(t, []string{"ArrivalsRole71ED3EC1", "ArrivalsRuleEventsRoleEE153E31", "CustomS3AutoDeleteObjectsCustomResourceProviderRole3B1BD092"}, extra)
}
