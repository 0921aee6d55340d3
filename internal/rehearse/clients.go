package rehearse

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// clients are the emulator's APIs, with its fake credentials.
type clients struct {
	cfn       *cloudformation.Client
	logs      *cloudwatchlogs.Client
	events    *eventbridge.Client
	glue      *glue.Client
	iam       *iam.Client
	kms       *kms.Client
	lambda    *lambda.Client
	s3        *s3.Client
	scheduler *scheduler.Client
	sfn       *sfn.Client
	sns       *sns.Client
	sqs       *sqs.Client
	// endpoint and creds sign the requests no SDK client makes.
	endpoint string
	creds    aws.CredentialsProvider
}

func newClients(endpoint string) *clients {
	cfg := aws.Config{
		Region:       Region,
		Credentials:  credentials.NewStaticCredentialsProvider("rehearsal", "rehearsal", ""),
		BaseEndpoint: aws.String(endpoint),
	}
	return &clients{
		endpoint:  endpoint,
		creds:     cfg.Credentials,
		cfn:       cloudformation.NewFromConfig(cfg),
		logs:      cloudwatchlogs.NewFromConfig(cfg),
		events:    eventbridge.NewFromConfig(cfg),
		glue:      glue.NewFromConfig(cfg),
		iam:       iam.NewFromConfig(cfg),
		kms:       kms.NewFromConfig(cfg),
		lambda:    lambda.NewFromConfig(cfg),
		s3:        s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }),
		scheduler: scheduler.NewFromConfig(cfg),
		sfn:       sfn.NewFromConfig(cfg),
		sns:       sns.NewFromConfig(cfg),
		sqs:       sqs.NewFromConfig(cfg),
	}
}
