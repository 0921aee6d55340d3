package golambda

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
)

// buildEnv is the build settings for provided.al2023 on goarch ("arm64"
// for Graviton, "amd64" for x86_64).
func buildEnv(goarch string) []string {
	return []string{"GOOS=linux", "GOARCH=" + goarch, "CGO_ENABLED=0"}
}

// lambda.norpc drops the legacy RPC entry point, which the custom runtime
// never uses.

var buildFlags = []string{"-tags", "lambda.norpc", "-trimpath", "-ldflags", "-s -w -buildid="}

// Build compiles the main package at entry (a path relative to moduleRoot,
// e.g. "./lambda/loaddata") for Linux on goarch ("arm64" or "amd64") into
// dir/bootstrap, the file name the provided.al2023 runtime executes.
func Build(moduleRoot, entry, goarch, dir string) error {
	args := append([]string{"build"}, buildFlags...)
	args = append(args, "-o", filepath.Join(dir, "bootstrap"), entry)
	cmd := exec.Command("go", args...)
	cmd.Dir = moduleRoot
	cmd.Env = append(os.Environ(), buildEnv(goarch)...)
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
	moduleRoot, entry, goarch string
}

// TryBundle builds into outputDir. A build failure panics rather than
// returning false: false would make CDK fall back to Docker, which is not
// used here and would hide the compiler's message.
func (b *localBundling) TryBundle(outputDir *string, _ *awscdk.BundlingOptions) *bool {
	if err := Build(b.moduleRoot, b.entry, b.goarch, *outputDir); err != nil {
		panic(err)
	}
	t := true
	return &t
}
