// Command velib-pipeline is the CDK app: it reads the configuration from the
// context (cdk.json or -c key=value), defines the pipeline stack and
// synthesizes it. Run it through the CDK CLI: `make synth`.
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/internal/layout"
	"github.com/partialruns/velib-pipeline/stacks"
)

func main() {
	app := awscdk.NewApp(nil)
	cfg, err := stacks.ConfigFromContext(func(key string) any { return app.Node().TryGetContext(jsii.String(key)) })
	if err != nil {
		fmt.Fprintf(os.Stderr, "invalid configuration:\n%v\n", err)
		os.Exit(1)
	}
	stacks.NewPipelineStack(app, layout.StackID, &stacks.PipelineStackProps{
		StackProps: awscdk.StackProps{Env: env()},
		Config:     cfg,
	})
	stacks.AddNagChecks(app)
	app.Synth(nil)
	// No jsii.Close: it races the runtime's own wait for the Node child and
	// prints "waitid: no child processes" now and then; the child exits with
	// this process either way.
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
