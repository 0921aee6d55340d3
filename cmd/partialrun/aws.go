package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/partialruns/velib-pipeline/internal/awsconfig"
)

// api is the part of the Step Functions client partialrun uses; tests
// stand in for it.
type api interface {
	DescribeStateMachine(context.Context, *sfn.DescribeStateMachineInput, ...func(*sfn.Options)) (*sfn.DescribeStateMachineOutput, error)
	StartExecution(context.Context, *sfn.StartExecutionInput, ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error)
	DescribeExecution(context.Context, *sfn.DescribeExecutionInput, ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error)
	GetExecutionHistory(context.Context, *sfn.GetExecutionHistoryInput, ...func(*sfn.Options)) (*sfn.GetExecutionHistoryOutput, error)
	RedriveExecution(context.Context, *sfn.RedriveExecutionInput, ...func(*sfn.Options)) (*sfn.RedriveExecutionOutput, error)
}

// connector returns a client for the region of resourceARN.
type connector func(ctx context.Context, a access, resourceARN arn.ARN) (api, error)

// access is how to reach AWS: the standard credential chain, narrowed by
// --profile and --region.
type access struct {
	region, profile string
	connect         connector
}

// client returns a Step Functions client for resourceARN.
func (a access) client(ctx context.Context, resourceARN arn.ARN) (api, error) {
	return a.connect(ctx, a, resourceARN)
}

// connectAWS returns an SDK client for the region of resourceARN unless
// --region says otherwise: the resource lives there, whatever the profile's
// default region.
func connectAWS(ctx context.Context, a access, resourceARN arn.ARN) (api, error) {
	cfg, err := a.config(ctx, resourceARN.Region)
	if err != nil {
		return nil, err
	}
	return sfn.NewFromConfig(cfg), nil
}

// config loads the AWS configuration for a resource in region, or in
// --region when given, with --profile's credentials.
func (a access) config(ctx context.Context, region string) (aws.Config, error) {
	if a.region != "" {
		region = a.region
	}
	cfg, err := awsconfig.Load(ctx, a.profile, region)
	if err != nil {
		return aws.Config{}, fmt.Errorf("loading the AWS configuration: %w", err)
	}
	return cfg, nil
}

// parseARN checks that s is a Step Functions ARN of the given resource type
// ("stateMachine" or "execution").
func parseARN(s, resource string) (arn.ARN, error) {
	a, err := arn.Parse(s)
	if err != nil || a.Service != "states" || !strings.HasPrefix(a.Resource, resource+":") || a.Region == "" {
		return arn.ARN{}, fmt.Errorf("%q is not a Step Functions %s ARN (arn:aws:states:REGION:ACCOUNT:%s:NAME…)", s, resource, resource)
	}
	return a, nil
}

// explain turns the SDK's errors into messages that say what to do.
func explain(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "failed to retrieve credentials"), strings.Contains(msg, "failed to refresh cached credentials"),
		strings.Contains(msg, "no EC2 IMDS role found"), strings.Contains(msg, "static credentials are empty"):
		return errors.New("no AWS credentials found: set AWS_PROFILE or pass --profile (after aws configure or aws sso login), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
	}
	return err
}

// consoleURL is where a person can watch an execution.
func consoleURL(executionARN string) string {
	a, err := arn.Parse(executionARN)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("https://%s.console.aws.amazon.com/states/home?region=%s#/v2/executions/details/%s", a.Region, a.Region, executionARN)
}
