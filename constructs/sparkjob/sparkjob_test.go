package sparkjob_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsglue"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/constructs/skippable/render"
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
			JobName:     "refine",
			Script:      sparkjob.Asset(f.stack, "Script", script),
			Bucket:      awss3.NewBucket(f.stack, jsii.String("Bucket"), nil),
			Reads:       []string{"raw/"},
			Writes:      []string{"silver/t/"},
			Database:    db,
			ReadTables:  []string{"src"},
			WriteTables: []string{"t"},
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
		assert.Equal(t, "true", args["--enable-spark-ui"])
		assert.Equal(t, "/aws-glue/jobs/refine", args["--custom-logGroup-prefix"])
		assert.Contains(t, cdktest.Strings(args["--TempDir"])[0], "/tmp/refine/")
		assert.Contains(t, cdktest.Strings(args["--spark-event-logs-path"])[0], "/logs/spark-ui/refine/")
	}
}

// TestIcebergCatalog: the job gets Glue's Iceberg runtime and a catalog of
// the given name on the Glue Data Catalog, set as AWS's Glue guide says;
// without the prop, neither.
func TestIcebergCatalog(t *testing.T) {
	for _, catalog := range []string{"", "glue_catalog"} {
		f := newFixture(t, func(p *sparkjob.Props) { p.IcebergCatalog = catalog })
		for _, j := range f.template.Resources("AWS::Glue::Job") {
			args := j["Properties"].(map[string]any)["DefaultArguments"].(map[string]any)
			if catalog == "" {
				assert.NotContains(t, args, "--datalake-formats")
				assert.NotContains(t, args, "--conf")
				continue
			}
			assert.Equal(t, "iceberg", args["--datalake-formats"])
			conf, err := render.Resolve(args["--conf"])
			require.NoError(t, err)
			settings := strings.Split(conf, " --conf ")
			require.Len(t, settings, 5, conf)
			assert.Equal(t, "spark.sql.extensions=org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions", settings[0])
			assert.Equal(t, "spark.sql.catalog.glue_catalog=org.apache.iceberg.spark.SparkCatalog", settings[1])
			assert.Regexp(t, `^spark\.sql\.catalog\.glue_catalog\.warehouse=s3://.*/tmp/refine/iceberg/$`, settings[2])
			assert.Equal(t, "spark.sql.catalog.glue_catalog.catalog-impl=org.apache.iceberg.aws.glue.GlueCatalog", settings[3])
			assert.Equal(t, "spark.sql.catalog.glue_catalog.io-impl=org.apache.iceberg.aws.s3.S3FileIO", settings[4])
		}
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
// (CDK sorts them).
func objectAccess(f *fixture) map[string][]string {
	out := map[string][]string{}
	for _, policy := range f.template.Statements() {
		for _, st := range policy {
			actions := cdktest.Strings(st["Action"])
			if !strings.HasPrefix(actions[0], "s3:") {
				continue
			}
			for _, r := range cdktest.Strings(st["Resource"]) {
				if i := strings.LastIndex(r, `"/`); i >= 0 {
					key := r[i+1 : strings.LastIndex(r, `"`)]
					out[key] = append(out[key], actions...)
				}
			}
		}
	}
	return out
}

func TestRoleTouchesOnlyDeclaredData(t *testing.T) {
	f := newFixture(t, func(p *sparkjob.Props) { p.Prunes = []string{"gold/t/"} })
	rw := []string{"s3:GetObject", "s3:PutObject"}
	rwd := []string{"s3:DeleteObject", "s3:GetObject", "s3:PutObject"}
	want := map[string][]string{}
	for prefix, actions := range map[string][]string{
		// Written tables are Iceberg's: written, never deleted from, but
		// by a job told to prune them.
		"raw": {"s3:GetObject"}, "silver/t": rw, "gold/t": rwd, "tmp/refine": rwd, "logs/spark-ui/refine": rwd,
	} {
		for _, k := range []string{"/*", "", "_$folder$"} {
			want["/"+prefix+k] = actions
		}
	}
	access := objectAccess(f)
	for key, actions := range access {
		if strings.HasSuffix(key, ".py") {
			assert.Equal(t, []string{"s3:GetObject"}, actions, "the script is only read")
			delete(access, key)
		}
	}
	assert.Equal(t, want, access)

	var listed, metrics bool
	for _, policy := range f.template.Statements() {
		for _, st := range policy {
			actions := strings.Join(cdktest.Strings(st["Action"]), ",")
			assert.NotContains(t, actions, "s3:List*", "no wildcard listing")
			assert.NotContains(t, actions, "s3:GetBucket", "no bucket-level reads")
			switch {
			case actions == "s3:ListBucket":
				listed = true
				var prefixes []any
				for _, p := range []string{"raw", "silver/t", "gold/t", "tmp/refine", "logs/spark-ui/refine"} {
					prefixes = append(prefixes, p+"/*", p, p+"_$folder$")
				}
				assert.ElementsMatch(t, prefixes, st["Condition"].(map[string]any)["StringLike"].(map[string]any)["s3:prefix"])
			case actions == "cloudwatch:PutMetricData":
				metrics = true
				assert.Equal(t, map[string]any{"StringEquals": map[string]any{"cloudwatch:namespace": "Glue"}}, st["Condition"])
			}
		}
	}
	assert.True(t, listed, "listing is allowed, on the declared prefixes only")
	assert.True(t, metrics, "the job can publish Glue metrics")
}

// TestKeysMatchThePrefixOnly evaluates the grant's key patterns as IAM
// does (* matches any run of characters): the prefix's keys and its folder
// markers, not a sibling that starts with the same letters.
func TestKeysMatchThePrefixOnly(t *testing.T) {
	match := func(key string) bool {
		for _, pattern := range sparkjob.Keys("raw/velib/") {
			re := "^" + strings.ReplaceAll(regexp.QuoteMeta(pattern), `\*`, ".*") + "$"
			if regexp.MustCompile(re).MatchString(key) {
				return true
			}
		}
		return false
	}
	for key, want := range map[string]bool{
		"raw/velib/dt=2026-11-21/velib-20261121T101503Z.json.gz": true,
		"raw/velib/dt=2026-11-21_$folder$":                       true,
		"raw/velib_$folder$":                                     true,
		"raw/velib":                                              true,
		"raw/velibfoo/x.json":                                    false,
		"raw/velib_other/x.json":                                 false,
		"raw/velib2":                                             false,
	} {
		assert.Equal(t, want, match(key), key)
	}
}

// TestCatalogWritesOnlyWrittenTables: the job may read the table it reads,
// but alter only the one it writes.
func TestCatalogWritesOnlyWrittenTables(t *testing.T) {
	f := newFixture(t, nil)
	var reads, writes []string
	for _, policy := range f.template.Statements() {
		for _, st := range policy {
			actions := strings.Join(cdktest.Strings(st["Action"]), ",")
			res := strings.Join(cdktest.Strings(st["Resource"]), " ")
			switch {
			case strings.Contains(actions, "glue:UpdateTable"):
				writes = append(writes, res)
				assert.NotContains(t, actions, "glue:Get", "write and read grants are separate")
			case strings.Contains(actions, "glue:GetTable"):
				reads = append(reads, res)
			}
		}
	}
	require.Len(t, writes, 1)
	require.Len(t, reads, 1)
	assert.Contains(t, writes[0], `"/t"`)
	assert.NotContains(t, writes[0], `"/src"`, "the table read is not writable")
	assert.Contains(t, reads[0], `"/src"`)
	assert.Contains(t, reads[0], `"/t"`)
	assert.Contains(t, reads[0], ":database/default", "Spark looks up the default database")
}

// TestLogGroups: the job's log groups are the construct's, with a
// retention and the key, under the prefix the job is told to use, and the
// role writes to those only. Glue 5.0 with a security configuration that
// encrypts CloudWatch logs writes to "<prefix>/<configuration>-role/<role
// name>/output|error" (AWS's Glue 5.0 logging page); without one, to
// "<prefix>/output|error". Both pairs exist, so either holds.
func TestLogGroups(t *testing.T) {
	f := newFixture(t, nil)
	groups := f.template.Resources("AWS::Logs::LogGroup")
	var names []string
	for _, g := range groups {
		p := g["Properties"].(map[string]any)
		assert.Equal(t, "Retain", g["UpdateReplacePolicy"], "a replaced group keeps its logs")
		assert.Equal(t, float64(30), p["RetentionInDays"])
		assert.Contains(t, fmt.Sprint(p["KmsKeyId"]), "Key")
		b, _ := json.Marshal(p["LogGroupName"])
		names = append(names, string(b))
	}
	slices.Sort(names)
	assert.Equal(t, []string{
		`"/aws-glue/jobs/refine/error"`,
		`"/aws-glue/jobs/refine/output"`,
		`{"Fn::Join":["",["/aws-glue/jobs/refine/",{"Ref":"Sec2765B176"},"-role/",{"Ref":"JobRole93F563EA"},"/error"]]}`,
		`{"Fn::Join":["",["/aws-glue/jobs/refine/",{"Ref":"Sec2765B176"},"-role/",{"Ref":"JobRole93F563EA"},"/output"]]}`,
	}, names)
	for _, policy := range f.template.Statements() {
		for _, st := range policy {
			actions := strings.Join(cdktest.Strings(st["Action"]), ",")
			if !strings.Contains(actions, "logs:") {
				continue
			}
			assert.NotContains(t, actions, "logs:CreateLogGroup", "the construct creates the log groups")
			resources := cdktest.Strings(st["Resource"])
			assert.Len(t, resources, 8, "two ARNs for each of the four groups")
			for _, r := range resources {
				assert.Regexp(t, `Job(Secure)?(Output|Error)Logs`, r, "logs only to the job's own groups")
			}
		}
	}
}

func TestMissingProps(t *testing.T) {
	tests := []struct {
		name string
		edit func(p *sparkjob.Props)
		want string
	}{
		{"no name", func(p *sparkjob.Props) { p.JobName = "" }, "missing [JobName]"},
		{"no script or bucket", func(p *sparkjob.Props) { p.Script, p.Bucket = sparkjob.Object{}, nil }, "missing [Bucket Script]"},
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
