package golambda

import (
	"fmt"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3assets"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/internal/modroot"
)

// Props configure a Go function.
type Props struct {
	// Entry is the main package to build, relative to ModuleRoot, e.g.
	// "./lambda/loaddata".
	Entry string
	// ModuleRoot is the folder holding go.mod. Default: the nearest folder
	// at or above the working directory that holds one, so the app and its
	// tests (which run in their package's folder) find the same module.
	ModuleRoot string
	// FunctionProps are passed to awslambda.NewFunction. Code, Handler,
	// Runtime and Architecture are set here and must be left empty.
	FunctionProps awslambda.FunctionProps
}

// NewFunction returns a Lambda function running the Go program at
// props.Entry on provided.al2023, arm64. It panics if the package cannot be
// listed, as CDK constructors do for invalid input.
func NewFunction(scope constructs.Construct, id *string, props *Props) awslambda.Function {
	fp := props.FunctionProps
	if fp.Code != nil || fp.Handler != nil || fp.Runtime != nil || fp.Architecture != nil {
		panic(fmt.Errorf("golambda: %s: Code, Handler, Runtime and Architecture are set by golambda; leave them empty", *id))
	}
	fp.Code = Code(props.ModuleRoot, props.Entry)
	fp.Handler = jsii.String("bootstrap")
	fp.Runtime = awslambda.Runtime_PROVIDED_AL2023()
	fp.Architecture = awslambda.Architecture_ARM_64()
	return awslambda.NewFunction(scope, id, &fp)
}

// Code is the asset for the Go program at entry, built locally by CDK's
// bundling step with a content-derived hash.
func Code(moduleRoot, entry string) awslambda.Code {
	if moduleRoot == "" {
		var err error
		if moduleRoot, err = modroot.Find(); err != nil {
			panic(err)
		}
	}
	hash, err := AssetHash(moduleRoot, entry)
	if err != nil {
		panic(err)
	}
	return awslambda.Code_FromAsset(jsii.String(filepath.Join(moduleRoot, entry)), &awss3assets.AssetOptions{
		AssetHash:     jsii.String(hash),
		AssetHashType: awscdk.AssetHashType_CUSTOM,
		Bundling: &awscdk.BundlingOptions{
			// Required by the API, never pulled: local bundling always
			// succeeds or stops the synth with the compiler's message.
			Image: awscdk.DockerImage_FromRegistry(jsii.String("scratch")),
			Local: &localBundling{moduleRoot: moduleRoot, entry: entry},
		},
	})
}
