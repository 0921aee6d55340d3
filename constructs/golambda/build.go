package golambda

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
)

// Build settings for provided.al2023 on Graviton. lambda.norpc drops the
// legacy RPC entry point, which the custom runtime never uses.
var buildEnv = []string{"GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0"}

var buildFlags = []string{"-tags", "lambda.norpc", "-trimpath", "-ldflags", "-s -w -buildid="}

// Build compiles the main package at entry (a path relative to moduleRoot,
// e.g. "./lambda/loaddata") into dir/bootstrap, the file name the
// provided.al2023 runtime executes.
func Build(moduleRoot, entry, dir string) error {
	args := append([]string{"build"}, buildFlags...)
	args = append(args, "-o", filepath.Join(dir, "bootstrap"), entry)
	cmd := exec.Command("go", args...)
	cmd.Dir = moduleRoot
	cmd.Env = append(os.Environ(), buildEnv...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("golambda: go build %s: %v\n%s", entry, err, out.String())
	}
	return nil
}

// localBundling lets CDK build the asset with the Go toolchain instead of a
// container. It implements awscdk.ILocalBundling.
type localBundling struct {
	moduleRoot, entry string
}

// TryBundle builds into outputDir. A build failure panics rather than
// returning false: false would make CDK fall back to Docker, which is not
// used here and would hide the compiler's message.
func (b *localBundling) TryBundle(outputDir *string, _ *awscdk.BundlingOptions) *bool {
	if err := Build(b.moduleRoot, b.entry, *outputDir); err != nil {
		panic(err)
	}
	t := true
	return &t
}
