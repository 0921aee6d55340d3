package sparkjob_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsglue"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/constructs/sparkjob"
)

// A job that reads raw/ and rewrites the table under silver/refined/, with a
// role that may touch nothing else.
func Example() {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Lake"), nil)
	bucket := awss3.NewBucket(stack, jsii.String("Data"), nil)
	job := sparkjob.New(stack, jsii.String("Refine"), &sparkjob.Props{
		JobName:     "refine",
		Script:      sparkjob.Object{Bucket: bucket, Key: jsii.String("scripts/refine.py")},
		Bucket:      bucket,
		Reads:       []string{"raw/"},
		Writes:      []string{"silver/refined/"},
		Database:    awsglue.NewDatabase(stack, jsii.String("Db"), &awsglue.DatabaseProps{DatabaseName: jsii.String("lake")}),
		WriteTables: []string{"refined"},
		SecurityConfiguration: awsglue.NewSecurityConfiguration(stack, jsii.String("Security"), &awsglue.SecurityConfigurationProps{
			S3Encryption: awsglue.S3Encryption_S3Managed(),
		}),
		Key: awskms.NewKey(stack, jsii.String("Key"), nil),
	})
	template := assertions.Template_FromStack(stack, nil)
	for _, m := range *template.FindResources(jsii.String("AWS::Glue::Job"), nil) {
		props := (*m)["Properties"].(map[string]any)
		fmt.Println("job:", props["Name"], "in", *job.Node().Path())
		fmt.Println("workers:", props["NumberOfWorkers"], props["WorkerType"], "glue", props["GlueVersion"])
	}
	// Output:
	// job: refine in Lake/Refine
	// workers: 2 G.1X glue 5.0
}
