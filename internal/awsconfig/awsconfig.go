// Package awsconfig loads the AWS SDK configuration the project's commands
// use: the standard credential chain, narrowed by a profile and a region,
// and no log lines of the SDK's own, so that a missing credential is told
// in the command's one line, not after SDK warnings (an instance metadata
// service that refuses a token, off EC2).
package awsconfig

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go/logging"
)

// Load returns the configuration for profile and region; an empty one
// leaves the choice to the environment and shared files.
func Load(ctx context.Context, profile, region string) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{config.WithLogger(logging.Nop{})}
	if profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(profile))
	}
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	return config.LoadDefaultConfig(ctx, opts...)
}
