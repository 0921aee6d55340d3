package stacks

import (
	"maps"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsglue"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/constructs/sparkjob"
	"github.com/partialruns/velib-pipeline/internal/layout"
	"github.com/partialruns/velib-pipeline/internal/modroot"
)

// lake holds the catalog side of the pipeline and its three jobs.
type lake struct {
	database                            awsglue.Database
	rawToSilver, avgStats, availPercent *sparkjob.Job
	// maintenance keeps the tables and undoes an execution's commits.
	maintenance *sparkjob.Job
}

// databaseName turns the name prefix into a Glue database name: Athena wants
// lower case, letters, digits and underscores.
func databaseName(cfg Config) string {
	return strings.ReplaceAll(cfg.NamePrefix, "-", "_") + "_lake"
}

func newLake(scope constructs.Construct, cfg Config, bucket awss3.IBucket, key awskms.IKey) *lake {
	db := awsglue.NewDatabase(scope, jsii.String("Database"), &awsglue.DatabaseProps{
		DatabaseName:  jsii.String(databaseName(cfg)),
		Description:   jsii.String("Vélib' bike-share data: raw snapshots refined to silver and gold tables."),
		RemovalPolicy: removalPolicy(cfg),
	})
	security := awsglue.NewSecurityConfiguration(scope, jsii.String("GlueSecurity"), &awsglue.SecurityConfigurationProps{
		SecurityConfigurationName: jsii.String(cfg.NamePrefix + "-glue"),
		S3Encryption:              awsglue.S3Encryption_S3Managed(),
		CloudWatchEncryption:      awsglue.CloudWatchEncryption_Kms(key),
		JobBookmarksEncryption:    awsglue.JobBookmarksEncryption_ClientSideKms(key),
	})
	scripts := scriptsDir()
	// The shared modules go to Glue as one zip on --extra-py-files: a zip
	// keeps their file names, which a single-file asset (named by its hash)
	// would lose, and Python imports modules by file name.
	libCode := sparkjob.Asset(scope, "GlueLib", scripts+"/lib")
	// What every job shares: code, data bucket, catalog, encryption, logs.
	common := func(id, flag, description string) sparkjob.Props {
		return sparkjob.Props{
			JobName:               cfg.NamePrefix + "-" + jobName(flag),
			Description:           description,
			Script:                sparkjob.Asset(scope, id+"Script", scripts+"/"+flag+".py"),
			ExtraPythonFiles:      []sparkjob.Object{libCode},
			Bucket:                bucket,
			TempPrefix:            layout.PrefixTmp + flag + "/",
			SparkUIPrefix:         layout.PrefixLogs + "spark-ui/" + flag + "/",
			Database:              db,
			IcebergCatalog:        layout.IcebergCatalog,
			SecurityConfiguration: security,
			Key:                   key,
			Workers:               cfg.GlueWorkers,
			Timeout:               awscdk.Duration_Minutes(jsii.Number(float64(cfg.GlueTimeoutMinutes))),
			LogRetention:          cfg.LogRetention(),
			Arguments: map[string]string{
				"--bucket": *bucket.BucketName(), "--database": databaseName(cfg), "--catalog": layout.IcebergCatalog,
			},
		}
	}
	job := func(id, flag, description string, reads, writes, readTables, writeTables []string, args map[string]string) *sparkjob.Job {
		p := common(id, flag, description)
		// A run started by hand processes every system; the state
		// machine names them.
		args["--systems"] = strings.Join(cfg.systemIDs(), ",")
		// A table written before the system partition holds this
		// system's rows; its writer moves it onto the partition.
		args["--legacy_system"] = layout.DefaultSystem
		maps.Copy(p.Arguments, args)
		p.Reads, p.Writes, p.ReadTables = reads, writes, readTables
		// An upgrade from Parquet keeps a pending definition beside each
		// table it writes.
		for _, t := range writeTables {
			p.WriteTables = append(p.WriteTables, t, t+layout.PendingUpgradeSuffix)
		}
		j := sparkjob.New(scope, jsii.String(id), &p)
		keepLogicalID(j.Resource, deployedJobs[id])
		return j
	}
	s3url := func(prefix string) string { return *bucket.S3UrlForObject(jsii.String(prefix)) }
	silver, rejects := layout.TablePrefix(layout.TableSilver), layout.TablePrefix(layout.TableRejects)
	gold := func(table string) []string { return []string{layout.TablePrefix(table)} }
	l := &lake{
		database: db,
		rawToSilver: job("RawToSilver", layout.FlagRawToSilver,
			"Raw GBFS snapshots of the processing date to table "+layout.TableSilver+"; rows failing a check to "+layout.TableRejects+".",
			// Snapshots that arrived by another way are read beside the
			// ingest's.
			[]string{layout.PrefixRawRoot, cfg.EventRuns.Prefix}, []string{silver, rejects}, nil, []string{layout.TableSilver, layout.TableRejects},
			map[string]string{"--raw_path": s3url(layout.PrefixRawRoot), "--" + layout.ArrivalsArg: s3url(cfg.EventRuns.Prefix),
				"--target_table": layout.TableSilver, "--target_path": s3url(silver),
				"--rejects_table": layout.TableRejects, "--rejects_path": s3url(rejects),
				// An operator sets it to true for one run to process a day
				// without the raw files that cannot be read.
				"--accept_bad_raw_files": "false"}),
		avgStats: job("AvgStats", layout.FlagAvgStats,
			"Per-station daily averages from "+layout.TableSilver+" to "+layout.TableAvgStats+".",
			[]string{silver}, gold(layout.TableAvgStats), []string{layout.TableSilver}, []string{layout.TableAvgStats},
			map[string]string{"--source_table": layout.TableSilver,
				"--target_table": layout.TableAvgStats, "--target_path": s3url(layout.TablePrefix(layout.TableAvgStats))}),
		availPercent: job("AvailPercent", layout.FlagAvailPercent,
			"Bikes available as a percentage of capacity, from "+layout.TableSilver+" to "+layout.TableAvailPercent+".",
			[]string{silver}, gold(layout.TableAvailPercent), []string{layout.TableSilver}, []string{layout.TableAvailPercent},
			map[string]string{"--source_table": layout.TableSilver,
				"--target_table": layout.TableAvailPercent, "--target_path": s3url(layout.TablePrefix(layout.TableAvailPercent))}),
	}
	l.maintenance = newMaintenance(scope, cfg, common)
	return l
}

// jobName names a job after its flag, less the pipeline's own prefix, in
// the name prefix's kebab case: velib_raw_to_silver runs as
// <prefix>-raw-to-silver. Renaming a job replaces it under the same logical
// id, which CloudFormation does by creating the new name first: no collision.
func jobName(flag string) string {
	return strings.ReplaceAll(strings.TrimPrefix(flag, "velib_"), "_", "-")
}

// scriptsDir is glue_scripts/ in the module, wherever the app or a test
// runs from.
func scriptsDir() string {
	root, err := modroot.Find()
	if err != nil {
		panic(err)
	}
	return root + "/glue_scripts"
}
