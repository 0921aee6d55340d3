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
	// Architecture is the processor the function runs on, and the one the
	// binary is built for. Default: awslambda.Architecture_ARM_64().
	Architecture awslambda.Architecture
	// FunctionProps are passed to awslambda.NewFunction. Code, Handler,
	// Runtime and Architecture are set here and must be left empty.
	FunctionProps awslambda.FunctionProps
}

// NewFunction returns a Lambda function running the Go program at
// props.Entry on provided.al2023. It panics if the package cannot be
// listed, as CDK constructors do for invalid input.
//
// When the stack is synthesized with bundling skipped (cdk list, cdk
// bootstrap, or the CLI's --exclusively of another stack), there is no
// binary: the asset then gets a hash of its own, never the built one's, and
// the function an error, so the CLI refuses to deploy that assembly rather
// than upload the Go source as the function's code. Tests that only read
// the template set the context key ReadOnlySynth instead.
func NewFunction(scope constructs.Construct, id *string, props *Props) awslambda.Function {
	fp := props.FunctionProps
	if fp.Code != nil || fp.Handler != nil || fp.Runtime != nil || fp.Architecture != nil {
		panic(fmt.Errorf("golambda: %s: Code, Handler, Runtime and Architecture are set by golambda; leave them empty", *id))
	}
	arch := props.Architecture
	if arch == nil {
		arch = awslambda.Architecture_ARM_64()
	}
	bundled := *awscdk.Stack_Of(scope).BundlingRequired() || scope.Node().TryGetContext(jsii.String(ReadOnlySynth)) == true
	fp.Code = code(props.ModuleRoot, props.Entry, goarch(*id, arch), bundled)
	fp.Handler = jsii.String("bootstrap")
	fp.Runtime = awslambda.Runtime_PROVIDED_AL2023()
	fp.Architecture = arch
	fn := awslambda.NewFunction(scope, id, &fp)
	if !bundled {
		awscdk.Annotations_Of(fn).AddError(jsii.String(Unbundled))
	}
	return fn
}

// Unbundled is the error a function carries in an assembly synthesized
// with bundling skipped.
const Unbundled = "golambda: this assembly was synthesized with bundling skipped (as cdk list and cdk bootstrap do), so the function has no binary; synthesize it again (make synth) before deploying"

// ReadOnlySynth is a context key for tests that synthesize with bundling
// skipped to read the template, never to deploy it: set to true, the
// function keeps the hash the built binary would have and no error. Never
// set it for an assembly you deploy.
const ReadOnlySynth = "golambda:readOnlySynth"

// goarch is Go's name for a Lambda architecture.
func goarch(id string, arch awslambda.Architecture) string {
	switch name := *arch.Name(); name {
	case "arm64":
		return "arm64"
	case "x86_64":
		return "amd64"
	default:
		panic(fmt.Errorf("golambda: %s: architecture %q is neither arm64 nor x86_64", id, name))
	}
}

// code is the asset for the Go program at entry, built for goarch by CDK's
// bundling step with a content-derived hash. Unbundled, the asset is the
// source folder: "unbundled" enters its hash, so its upload can never
// stand in for the binary's.
func code(moduleRoot, entry, goarch string, bundled bool) awslambda.Code {
	if moduleRoot == "" {
		var err error
		if moduleRoot, err = modroot.Find(); err != nil {
			panic(err)
		}
	}
	hash, err := AssetHash(moduleRoot, entry, goarch)
	if err != nil {
		panic(err)
	}
	if !bundled {
		hash = "unbundled-" + hash
	}
	return awslambda.Code_FromAsset(jsii.String(filepath.Join(moduleRoot, entry)), &awss3assets.AssetOptions{
		AssetHash:     jsii.String(hash),
		AssetHashType: awscdk.AssetHashType_CUSTOM,
		Bundling: &awscdk.BundlingOptions{
			// Required by the API, never pulled: local bundling always
			// succeeds or stops the synth with the compiler's message.
			Image: awscdk.DockerImage_FromRegistry(jsii.String("scratch")),
			Local: &localBundling{moduleRoot: moduleRoot, entry: entry, goarch: goarch},
		},
	})
}
