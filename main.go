// Command velib-pipeline is the CDK app: it reads the configuration from the
// context (cdk.json or -c key=value), defines the pipeline stack and
// synthesizes it. Run it through the CDK CLI: `make synth`.
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/internal/jsiiclose"
	"github.com/partialruns/velib-pipeline/internal/layout"
	"github.com/partialruns/velib-pipeline/stacks"
)

func main() {
	err := synth()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	jsiiclose.Close() // after any message: it silences os.Stderr
	if err != nil {
		os.Exit(1)
	}
}

// synth defines and synthesizes the app.
func synth() error {
	app := awscdk.NewApp(nil)
	cfg, err := stacks.ConfigFromContext(func(key string) any { return app.Node().TryGetContext(jsii.String(key)) })
	if err != nil {
		return fmt.Errorf("invalid configuration:\n%v", err)
	}
	stacks.NewPipelineStack(app, layout.StackID, &stacks.PipelineStackProps{
		StackProps: awscdk.StackProps{Env: env()},
		Config:     cfg,
	})
	stacks.AddNagChecks(app)
	app.Synth(nil)
	return nil
}

// env targets the account and region the CDK CLI resolved from the user's
// credentials. Without credentials the CLI still sets a default region but no
// account; the stack is then environment-agnostic and synthesizes all the same.
func env() *awscdk.Environment {
	account, region := os.Getenv("CDK_DEFAULT_ACCOUNT"), os.Getenv("CDK_DEFAULT_REGION")
	if account == "" || region == "" {
		return nil
	}
	return &awscdk.Environment{Account: jsii.String(account), Region: jsii.String(region)}
}
