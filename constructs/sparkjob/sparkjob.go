// Package sparkjob defines a PySpark Glue ETL job with the settings a
// production batch job wants and a role that can touch only what the job
// declares it reads and writes.
//
// Defaults: Glue 5.0 (Spark 3.5, Python 3.11), G.1X workers, one concurrent
// run, no Glue-level retries (the caller's orchestrator retries transient
// errors), continuous CloudWatch logging, job metrics, and Spark UI event
// logs written to the data bucket.
package sparkjob

import (
	"fmt"
	"sort"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsglue"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Props configure a [Job].
type Props struct {
	// JobName is the Glue job's name. Required: the state machine and
	// people refer to jobs by name.
	JobName string
	// Description shows in the Glue console.
	Description string
	// Script is the job's entry point.
	Script awsglue.Code
	// ExtraPythonFiles are modules the script imports.
	ExtraPythonFiles []awsglue.Code
	// Bucket holds the data, the temporary directory and the Spark UI logs.
	Bucket awss3.IBucket
	// Reads and Writes are the key prefixes (ending in "/") that the job
	// reads, and reads and writes. The role allows nothing else in Bucket.
	Reads, Writes []string
	// TempPrefix is the job's scratch space (--TempDir). Default:
	// "tmp/<JobName>/".
	TempPrefix string
	// SparkUIPrefix receives the Spark event logs. Default:
	// "logs/spark-ui/<JobName>".
	SparkUIPrefix string
	// Database and Tables are the Data Catalog entries the job reads or
	// maintains (tables and partitions).
	Database awsglue.IDatabase
	Tables   []string
	// SecurityConfiguration encrypts the job's S3 output, logs and
	// bookmarks; Key is the KMS key it uses for logs and bookmarks.
	SecurityConfiguration awsglue.ISecurityConfiguration
	Key                   awskms.IKey
	// Workers is the number of G.1X workers. Default: 2, the minimum.
	Workers int
	// Timeout stops a run that takes longer. Default: 60 minutes.
	Timeout awscdk.Duration
	// Arguments are the job's default arguments, e.g. "--bucket". A job
	// run can override them.
	Arguments map[string]string
}

// Job is a PySpark Glue job and its role, defined inside a construct of
// their own ("Job" and "Role" below the id given to New).
type Job struct {
	constructs.Construct
	Job  awsglue.PySparkEtlJob
	Role awsiam.Role
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
	grantData(role, p)
	grantCatalog(role, stack, p)
	grantRuntime(role, stack, p)

	args := map[string]*string{
		"--TempDir":                 p.Bucket.S3UrlForObject(jsii.String(p.TempPrefix)),
		"--enable-glue-datacatalog": jsii.String("true"),
	}
	for k, v := range p.Arguments {
		args[k] = jsii.String(v)
	}
	var extra *[]awsglue.Code
	if len(p.ExtraPythonFiles) > 0 {
		extra = &p.ExtraPythonFiles
	}
	job := awsglue.NewPySparkEtlJob(j.Construct, jsii.String("Job"), &awsglue.PySparkEtlJobProps{
		JobName:               jsii.String(p.JobName),
		Description:           jsii.String(p.Description),
		Role:                  role,
		Script:                p.Script,
		ExtraPythonFiles:      extra,
		GlueVersion:           awsglue.GlueVersion_V5_0,
		WorkerConfiguration:   &awsglue.WorkerConfiguration{WorkerType: awsglue.WorkerType_G_1X, NumberOfWorkers: jsii.Number(float64(p.Workers))},
		Timeout:               p.Timeout,
		MaxConcurrentRuns:     jsii.Number(1),
		MaxRetries:            jsii.Number(0),
		SecurityConfiguration: p.SecurityConfiguration,
		ContinuousLogging:     &awsglue.ContinuousLoggingProps{Enabled: jsii.Bool(true)},
		EnableMetrics:         jsii.Bool(true),
		SparkUI:               &awsglue.SparkUIProps{Bucket: p.Bucket, Prefix: jsii.String("/" + p.SparkUIPrefix)},
		DefaultArguments:      &args,
	})
	j.Job, j.Role = job, role
	return j
}

func withDefaults(p Props) Props {
	if p.TempPrefix == "" {
		p.TempPrefix = "tmp/" + p.JobName + "/"
	}
	if p.SparkUIPrefix == "" {
		p.SparkUIPrefix = "logs/spark-ui/" + p.JobName
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
		"JobName": p.JobName == "", "Script": p.Script == nil, "Bucket": p.Bucket == nil,
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
