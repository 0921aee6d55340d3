// Package sparkjob defines a PySpark Glue ETL job with the settings a
// production batch job wants and a role that can touch only what the job
// declares it reads and writes.
//
// Defaults: Glue 5.0 (Spark 3.5, Python 3.11), G.1X workers, one concurrent
// run, no Glue-level retries (the caller's orchestrator retries transient
// errors), job metrics, Spark UI event logs written to the data bucket, and
// the job's CloudWatch log groups owned by the construct, with a retention
// and the security configuration's key.
//
// The job is defined with the CloudFormation resource itself rather than
// aws-cdk-lib's Glue job construct, whose grants (the Spark UI bucket, the
// code assets' buckets) allow listing whole buckets: every permission here is
// written out, on the job's own prefixes, objects and log groups.
package sparkjob

import (
	"fmt"
	"sort"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsglue"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// WorkerType is the jobs' worker type: a run started with another number
// of workers names it too.
const WorkerType = "G.1X"

// Props configure a [Job].
type Props struct {
	// JobName is the Glue job's name. Required: the state machine and
	// people refer to jobs by name.
	JobName string
	// Description shows in the Glue console.
	Description string
	// Script is the job's entry point.
	Script Object
	// ExtraPythonFiles are modules the script imports.
	ExtraPythonFiles []Object
	// Bucket holds the data, the temporary directory and the Spark UI logs.
	Bucket awss3.IBucket
	// Reads and Writes are the key prefixes (ending in "/") that the job
	// reads, and reads and writes. Prunes are prefixes where it may also
	// delete objects: Iceberg tables are written without deleting a file,
	// so only a job that expires snapshots or removes orphan files needs
	// them. The role allows nothing else in Bucket.
	Reads, Writes, Prunes []string
	// TempPrefix is the job's scratch space (--TempDir). Default:
	// "tmp/<JobName>/".
	TempPrefix string
	// SparkUIPrefix receives the Spark event logs. Default:
	// "logs/spark-ui/<JobName>/".
	SparkUIPrefix string
	// Database holds the tables. ReadTables are only read; WriteTables are
	// created, altered (an Iceberg commit is a table update) and given
	// partitions by the job.
	Database                awsglue.IDatabase
	ReadTables, WriteTables []string
	// IcebergCatalog, when set, is the name under which the job's Spark
	// session reaches the Glue Data Catalog's Iceberg tables (Glue's own
	// Iceberg runtime, with Iceberg's SQL extensions and S3 file I/O).
	IcebergCatalog string
	// SecurityConfiguration encrypts the job's S3 output, logs and
	// bookmarks; Key is the KMS key it uses for logs and bookmarks, and
	// encrypts the log groups.
	SecurityConfiguration awsglue.ISecurityConfiguration
	Key                   awskms.IKey
	// LogRetention is how long the job's logs are kept. Default: one month.
	LogRetention awslogs.RetentionDays
	// LogRemovalPolicy applies to the log groups. Default: destroy, since
	// the logs expire anyway.
	LogRemovalPolicy awscdk.RemovalPolicy
	// Workers is the number of G.1X workers. Default: 2, the minimum.
	Workers int
	// Timeout stops a run that takes longer. Default: 60 minutes.
	Timeout awscdk.Duration
	// Arguments are the job's default arguments, e.g. "--bucket". A job
	// run can override them.
	Arguments map[string]string
}

// Job is a PySpark Glue job, its role and its log groups, defined inside a
// construct of their own ("Job", "Role", "OutputLogs" and "ErrorLogs" below
// the id given to New).
type Job struct {
	constructs.Construct
	Resource awsglue.CfnJob
	Role     awsiam.Role
	// Name is the job's name, as a reference that makes its user depend on
	// the job.
	Name *string
	// Logs are the log groups the job writes to: its output (stdout and
	// stderr) and its error log (Spark and Glue's own), without and with
	// CloudWatch encryption by the security configuration (Glue 5.0 names
	// them apart; see LogGroupPrefix).
	OutputLogs, ErrorLogs, SecureOutputLogs, SecureErrorLogs awslogs.LogGroup
}

// New defines the job. It panics on missing required props, naming them.
func New(scope constructs.Construct, id *string, props *Props) *Job {
	p := withDefaults(*props)
	if err := p.check(); err != nil {
		panic(fmt.Errorf("sparkjob: %s: %w", *id, err))
	}
	// Resources go into j.Construct, the jsii object: the Go struct that
	// embeds it is not one.
	j := &Job{Construct: constructs.NewConstruct(scope, id)}
	stack := awscdk.Stack_Of(scope)
	role := awsiam.NewRole(j.Construct, jsii.String("Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("glue.amazonaws.com"), nil),
		Description: jsii.String("Runs Glue job " + p.JobName + "; may touch only its declared prefixes and tables."),
	})
	j.Role = role
	j.OutputLogs, j.ErrorLogs, j.SecureOutputLogs, j.SecureErrorLogs = newLogGroups(j, p)
	grantData(role, p)
	grantCode(role, p)
	grantCatalog(role, stack, p)
	grantRuntime(role, p, j.OutputLogs, j.ErrorLogs, j.SecureOutputLogs, j.SecureErrorLogs)

	args := map[string]*string{
		"--job-language":                 jsii.String("python"),
		"--TempDir":                      p.Bucket.S3UrlForObject(jsii.String(p.TempPrefix)),
		"--enable-glue-datacatalog":      jsii.String("true"),
		"--enable-metrics":               jsii.String(""),
		"--enable-observability-metrics": jsii.String("true"),
		"--enable-spark-ui":              jsii.String("true"),
		"--spark-event-logs-path":        p.Bucket.S3UrlForObject(jsii.String(p.SparkUIPrefix)),
		"--custom-logGroup-prefix":       jsii.String(LogGroupPrefix(p.JobName)),
	}
	if len(p.ExtraPythonFiles) > 0 {
		urls := make([]*string, len(p.ExtraPythonFiles))
		for i, f := range p.ExtraPythonFiles {
			urls[i] = f.url()
		}
		args["--extra-py-files"] = awscdk.Fn_Join(jsii.String(","), &urls)
	}
	if p.IcebergCatalog != "" {
		args["--datalake-formats"] = jsii.String("iceberg")
		args["--conf"] = icebergConf(p)
	}
	for k, v := range p.Arguments {
		args[k] = jsii.String(v)
	}
	job := awsglue.NewCfnJob(j.Construct, jsii.String("Job"), &awsglue.CfnJobProps{
		Name:        jsii.String(p.JobName),
		Description: jsii.String(p.Description),
		Role:        role.RoleArn(),
		Command: &awsglue.CfnJob_JobCommandProperty{
			Name:           jsii.String("glueetl"),
			PythonVersion:  jsii.String("3"),
			ScriptLocation: p.Script.url(),
		},
		GlueVersion:           jsii.String("5.0"),
		WorkerType:            jsii.String(WorkerType),
		NumberOfWorkers:       jsii.Number(float64(p.Workers)),
		Timeout:               p.Timeout.ToMinutes(nil),
		MaxRetries:            jsii.Number(0),
		ExecutionProperty:     &awsglue.CfnJob_ExecutionPropertyProperty{MaxConcurrentRuns: jsii.Number(1)},
		JobRunQueuingEnabled:  jsii.Bool(false),
		SecurityConfiguration: p.SecurityConfiguration.SecurityConfigurationName(),
		DefaultArguments:      &args,
	})
	// The role's permissions must exist before a run can start.
	job.Node().AddDependency(role)
	j.Resource, j.Name = job, job.Ref()
	return j
}

// icebergConf is the --conf value that defines the Iceberg catalog: Glue
// takes one --conf argument, so the settings after the first each start
// with "--conf ", as AWS's Glue guide writes them. Tables are always
// created with a location; the warehouse, where one without would go, is
// the job's scratch space.
func icebergConf(p Props) *string {
	c := "spark.sql.catalog." + p.IcebergCatalog
	settings := []*string{
		jsii.String("spark.sql.extensions=org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions"),
		jsii.String(c + "=org.apache.iceberg.spark.SparkCatalog"),
		awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String(c + ".warehouse="), p.Bucket.S3UrlForObject(jsii.String(p.TempPrefix + "iceberg/"))}),
		jsii.String(c + ".catalog-impl=org.apache.iceberg.aws.glue.GlueCatalog"),
		jsii.String(c + ".io-impl=org.apache.iceberg.aws.s3.S3FileIO"),
	}
	return awscdk.Fn_Join(jsii.String(" --conf "), &settings)
}

func withDefaults(p Props) Props {
	if p.TempPrefix == "" {
		p.TempPrefix = "tmp/" + p.JobName + "/"
	}
	if p.SparkUIPrefix == "" {
		p.SparkUIPrefix = "logs/spark-ui/" + p.JobName + "/"
	}
	if p.LogRetention == "" {
		p.LogRetention = awslogs.RetentionDays_ONE_MONTH
	}
	if p.LogRemovalPolicy == "" {
		p.LogRemovalPolicy = awscdk.RemovalPolicy_DESTROY
	}
	if p.Workers == 0 {
		p.Workers = 2
	}
	if p.Timeout == nil {
		p.Timeout = awscdk.Duration_Minutes(jsii.Number(60))
	}
	return p
}

func (p Props) check() error {
	var missing []string
	for name, unset := range map[string]bool{
		"JobName": p.JobName == "", "Script": p.Script.Bucket == nil || p.Script.Key == nil, "Bucket": p.Bucket == nil,
		"Database": p.Database == nil, "SecurityConfiguration": p.SecurityConfiguration == nil, "Key": p.Key == nil,
	} {
		if unset {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("missing %v", missing)
	}
	if p.Workers < 2 {
		return fmt.Errorf("G.1X jobs need at least 2 workers, got %d", p.Workers)
	}
	return nil
}
