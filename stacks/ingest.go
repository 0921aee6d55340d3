package stacks

import (
	"encoding/json"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/constructs/golambda"
	"github.com/partialruns/velib-pipeline/internal/layout"
)

// newIngest is the lambda_load_data function, which ingests the system each
// invocation names. It may write only under the raw prefix: it has no
// read, list or delete permission anywhere.
func newIngest(scope constructs.Construct, cfg Config, bucket awss3.IBucket, key awskms.IKey) (awslambda.Function, awslogs.LogGroup) {
	logs := awslogs.NewLogGroup(scope, jsii.String("LoadDataLogs"), &awslogs.LogGroupProps{
		Retention:     cfg.LogRetention(),
		EncryptionKey: key,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	// A role of its own rather than the default one, which would carry the
	// AWSLambdaBasicExecutionRole managed policy (logs anywhere): this one
	// may write to its log group and under the raw prefix, nothing else.
	role := awsiam.NewRole(scope, jsii.String("LoadDataRole"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("lambda_load_data: write raw snapshots and its own logs."),
	})
	logs.GrantWrite(role)
	fn := golambda.NewFunction(scope, jsii.String("LoadData"), &golambda.Props{
		Entry:        "./lambda/loaddata",
		Architecture: cfg.Architecture(),
		FunctionProps: awslambda.FunctionProps{
			Description: jsii.String("lambda_load_data: GBFS feed to one raw snapshot in S3."),
			MemorySize:  jsii.Number(256),
			Timeout:     awscdk.Duration_Seconds(jsii.Number(ingestTimeoutSeconds)),
			LogGroup:    logs,
			Role:        role,
			Tracing:     awslambda.Tracing_ACTIVE,
			Environment: &map[string]*string{
				"SYSTEMS":    jsii.String(systemsJSON(cfg.Systems)),
				"BUCKET":     bucket.BucketName(),
				"RAW_PREFIX": jsii.String(layout.PrefixRawRoot),
			},
		},
	})
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("s3:PutObject"),
		Resources: &[]*string{bucket.ArnForObjects(jsii.String(layout.PrefixRawRoot + "*"))},
	}))
	return fn, logs
}

// systemsJSON is the SYSTEMS variable: the systems as JSON.
func systemsJSON(systems []layout.System) string {
	b, err := json.Marshal(systems)
	if err != nil {
		panic(err) // strings only: cannot fail
	}
	return string(b)
}
