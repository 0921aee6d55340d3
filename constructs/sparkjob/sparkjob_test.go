package sparkjob_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsglue"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/constructs/sparkjob"
	"github.com/partialruns/velib-pipeline/internal/cdktest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { cdktest.Main(m) }

// fixture is a stack with what a job needs around it.
type fixture struct {
	stack    awscdk.Stack
	props    sparkjob.Props
	template *cdktest.Template
}

func newFixture(t *testing.T, edit func(p *sparkjob.Props)) *fixture {
	t.Helper()
	f, msg := build(t, edit)
	if msg != "" {
		t.Fatalf("building the job failed: %s", msg)
	}
	f.template = cdktest.Synth(t, f.stack)
	return f
}

// build defines the job in a fresh stack, with edit applied to valid props,
// and returns the failure message if the definition panicked.
func build(t *testing.T, edit func(p *sparkjob.Props)) (*fixture, string) {
	t.Helper()
	script := filepath.Join(t.TempDir(), "job.py")
	if err := os.WriteFile(script, []byte("print('job')\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var f fixture
	msg := cdktest.Catch(func() {
		f.stack = awscdk.NewStack(cdktest.NewApp(nil), jsii.String("Test"), nil)
		key := awskms.NewKey(f.stack, jsii.String("Key"), nil)
		db := awsglue.NewDatabase(f.stack, jsii.String("Db"), &awsglue.DatabaseProps{DatabaseName: jsii.String("lake")})
		f.props = sparkjob.Props{
			JobName:  "refine",
			Script:   awsglue.Code_FromAsset(jsii.String(script), nil),
			Bucket:   awss3.NewBucket(f.stack, jsii.String("Bucket"), nil),
			Reads:    []string{"raw/"},
			Writes:   []string{"silver/t/"},
			Database: db,
			Tables:   []string{"t"},
			SecurityConfiguration: awsglue.NewSecurityConfiguration(f.stack, jsii.String("Sec"), &awsglue.SecurityConfigurationProps{
				S3Encryption: awsglue.S3Encryption_S3Managed(),
			}),
			Key:       key,
			Arguments: map[string]string{"--target_table": "t"},
		}
		if edit != nil {
			edit(&f.props)
		}
		sparkjob.New(f.stack, jsii.String("Job"), &f.props)
	})
	return &f, msg
}

func TestDefaults(t *testing.T) {
	f := newFixture(t, nil)
	jobs := f.template.Resources("AWS::Glue::Job")
	require.Len(t, jobs, 1)
	for _, j := range jobs {
		p := j["Properties"].(map[string]any)
		assert.Equal(t, "refine", p["Name"])
		assert.Equal(t, "5.0", p["GlueVersion"])
		assert.Equal(t, "G.1X", p["WorkerType"])
		assert.Equal(t, float64(2), p["NumberOfWorkers"])
		assert.Equal(t, float64(60), p["Timeout"])
		assert.Equal(t, float64(0), p["MaxRetries"], "retries belong to the orchestrator")
		assert.Equal(t, map[string]any{"MaxConcurrentRuns": float64(1)}, p["ExecutionProperty"])
		args := p["DefaultArguments"].(map[string]any)
		assert.Equal(t, "t", args["--target_table"])
		assert.Equal(t, "true", args["--enable-glue-datacatalog"])
		assert.Equal(t, "true", args["--enable-continuous-cloudwatch-log"])
		assert.Contains(t, cdktest.Strings(args["--TempDir"])[0], "/tmp/refine/")
		assert.Contains(t, cdktest.Strings(args["--spark-event-logs-path"])[0], "/logs/spark-ui/refine/")
	}
}

func TestOverrides(t *testing.T) {
	f := newFixture(t, func(p *sparkjob.Props) {
		p.Workers = 10
		p.Timeout = awscdk.Duration_Minutes(jsii.Number(15))
		p.TempPrefix = "scratch/"
	})
	f.template.Has(t, "AWS::Glue::Job", map[string]any{"NumberOfWorkers": 10, "Timeout": 15})
	for _, j := range f.template.Resources("AWS::Glue::Job") {
		args := j["Properties"].(map[string]any)["DefaultArguments"].(map[string]any)
		assert.Contains(t, cdktest.Strings(args["--TempDir"])[0], "/scratch/")
	}
}

// objectAccess maps each S3 object ARN suffix to the actions allowed on it
// (CDK sorts them), leaving out the Spark UI grant, which CDK writes with its own action list.
func objectAccess(f *fixture) map[string][]string {
	out := map[string][]string{}
	for _, policy := range f.template.Statements() {
		for _, st := range policy {
			actions := cdktest.Strings(st["Action"])
			if !strings.HasPrefix(actions[0], "s3:") || strings.Contains(strings.Join(actions, ","), "s3:GetObject*") {
				continue
			}
			for _, r := range cdktest.Strings(st["Resource"]) {
				if i := strings.LastIndex(r, `"/`); i >= 0 {
					out[r[i+1:strings.LastIndex(r, `"`)]] = append(out[r[i+1:strings.LastIndex(r, `"`)]], actions...)
				}
			}
		}
	}
	return out
}

func TestRoleTouchesOnlyDeclaredData(t *testing.T) {
	f := newFixture(t, nil)
	assert.Equal(t, map[string][]string{
		"/raw*":        {"s3:GetObject"},
		"/silver/t*":   {"s3:DeleteObject", "s3:GetObject", "s3:PutObject"},
		"/tmp/refine*": {"s3:DeleteObject", "s3:GetObject", "s3:PutObject"},
	}, objectAccess(f))

	var listed, catalog, metrics bool
	for _, policy := range f.template.Statements() {
		for _, st := range policy {
			actions := strings.Join(cdktest.Strings(st["Action"]), ",")
			switch {
			case actions == "s3:ListBucket":
				listed = true
				assert.ElementsMatch(t, []any{"raw*", "silver/t*", "tmp/refine*"},
					st["Condition"].(map[string]any)["StringLike"].(map[string]any)["s3:prefix"])
			case strings.Contains(actions, "glue:CreatePartition"):
				catalog = true
				res := strings.Join(cdktest.Strings(st["Resource"]), " ")
				assert.Contains(t, res, ":catalog")
				assert.Contains(t, res, `":table/",{"Ref":"Db5D02A0A9"},"/t"`)
			case actions == "cloudwatch:PutMetricData":
				metrics = true
				assert.Equal(t, map[string]any{"StringEquals": map[string]any{"cloudwatch:namespace": "Glue"}}, st["Condition"])
			}
		}
	}
	assert.True(t, listed, "listing is allowed, on the declared prefixes only")
	assert.True(t, catalog, "the job can maintain its tables")
	assert.True(t, metrics, "the job can publish Glue metrics")
}

func TestMissingProps(t *testing.T) {
	tests := []struct {
		name string
		edit func(p *sparkjob.Props)
		want string
	}{
		{"no name", func(p *sparkjob.Props) { p.JobName = "" }, "missing [JobName]"},
		{"no script or bucket", func(p *sparkjob.Props) { p.Script, p.Bucket = nil, nil }, "missing [Bucket Script]"},
		{"no security", func(p *sparkjob.Props) { p.SecurityConfiguration, p.Key = nil, nil }, "missing [Key SecurityConfiguration]"},
		{"one worker", func(p *sparkjob.Props) { p.Workers = 1 }, "G.1X jobs need at least 2 workers, got 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, msg := build(t, tc.edit)
			assert.Contains(t, msg, "sparkjob: Job: "+tc.want)
		})
	}
}
