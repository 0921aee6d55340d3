package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/constructs/sparkjob"
	"github.com/partialruns/velib-pipeline/internal/layout"
)

// newKey is the customer managed key for the Glue security configuration
// (job bookmarks), the log groups and the failure topic. CloudWatch Logs may
// use it only for the stack's log groups.
func newKey(scope constructs.Construct, cfg Config) awskms.Key {
	key := awskms.NewKey(scope, jsii.String("Key"), &awskms.KeyProps{
		Description:       jsii.String(cfg.NamePrefix + " pipeline: Glue job logs and bookmarks, failure notifications"),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     removalPolicy(cfg),
	})
	stack := awscdk.Stack_Of(scope)
	logs := awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("logs."+*stack.Region()+".amazonaws.com"), nil)},
		Actions:    jsii.Strings("kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"),
		Resources:  jsii.Strings("*"),
	})
	logGroup := func(name string) *string {
		return stack.FormatArn(&awscdk.ArnComponents{
			Service: jsii.String("logs"), Resource: jsii.String("log-group"),
			ResourceName: jsii.String(name), ArnFormat: awscdk.ArnFormat_COLON_RESOURCE_NAME,
		})
	}
	groups := []*string{
		logGroup(sparkjob.LogGroupPrefix(cfg.NamePrefix+"-") + "*"),
		logGroup(stateMachineLogGroup(cfg)),
		// The ingest's log group has the name CloudFormation gave it,
		// "<stack name>-LoadDataLogs…-<suffix>"; naming it now would
		// replace it and lose its logs.
		logGroup(*awscdk.Aws_STACK_NAME() + "-LoadDataLogs*"),
	}
	if cfg.EventRuns.Enabled {
		groups = append(groups, logGroup(arrivalsLogGroup(cfg)))
	}
	logs.AddCondition(jsii.String("ArnLike"), map[string]any{"kms:EncryptionContext:aws:logs:arn": groups})
	key.AddToResourcePolicy(logs, nil)
	return key
}

// newBuckets returns the data bucket and the bucket receiving its server
// access logs. Both are private, SSL-only and encrypted; the data bucket is
// versioned so an overwritten or deleted object can be recovered.
func newBuckets(scope constructs.Construct, cfg Config) (data, accessLogs awss3.Bucket) {
	accessLogs = awss3.NewBucket(scope, jsii.String("AccessLogs"), &awss3.BucketProps{
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		EnforceSSL:        jsii.Bool(true),
		ObjectOwnership:   awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Id:         jsii.String("expire-access-logs"),
			Expiration: awscdk.Duration_Days(jsii.Number(90)),
		}},
		RemovalPolicy:     removalPolicy(cfg),
		AutoDeleteObjects: jsii.Bool(cfg.Destroy),
	})
	data = awss3.NewBucket(scope, jsii.String("Data"), &awss3.BucketProps{
		Encryption:             awss3.BucketEncryption_S3_MANAGED,
		BlockPublicAccess:      awss3.BlockPublicAccess_BLOCK_ALL(),
		EnforceSSL:             jsii.Bool(true),
		Versioned:              jsii.Bool(true),
		ObjectOwnership:        awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		ServerAccessLogsBucket: accessLogs,
		ServerAccessLogsPrefix: jsii.String("data/"),
		LifecycleRules: &[]*awss3.LifecycleRule{
			{
				Id:                                  jsii.String("expire-temporary"),
				Prefix:                              jsii.String(layout.PrefixTmp),
				Expiration:                          awscdk.Duration_Days(jsii.Number(7)),
				AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(jsii.Number(1)),
			},
			{
				Id:         jsii.String("expire-logs"),
				Prefix:     jsii.String(layout.PrefixLogs),
				Expiration: awscdk.Duration_Days(jsii.Number(30)),
			},
			{
				// Re-runs overwrite partitions; old versions are kept
				// for a month in case a re-run was a mistake.
				Id:                          jsii.String("expire-old-versions"),
				NoncurrentVersionExpiration: awscdk.Duration_Days(jsii.Number(30)),
			},
		},
		RemovalPolicy:     removalPolicy(cfg),
		AutoDeleteObjects: jsii.Bool(cfg.Destroy),
	})
	return data, accessLogs
}

func removalPolicy(cfg Config) awscdk.RemovalPolicy {
	if cfg.Destroy {
		return awscdk.RemovalPolicy_DESTROY
	}
	return awscdk.RemovalPolicy_RETAIN
}
