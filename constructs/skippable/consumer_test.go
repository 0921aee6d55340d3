package skippable_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestConsumerBuildsNoPipeline builds, offline from the module cache, a
// module outside this repository that imports the construct's packages,
// and checks what it links: the CDK, and none of the pipeline this module
// was split from, nor a JSONata engine, which only the test kit needs.
func TestConsumerBuildsNoPipeline(t *testing.T) {
	goCmd := consumer(t, map[string]string{"main.go": `package main

import (
	"github.com/partialruns/velib-pipeline/constructs/skippable"
	"github.com/partialruns/velib-pipeline/constructs/skippable/contract"
	"github.com/partialruns/velib-pipeline/constructs/skippable/parallel"
	"github.com/partialruns/velib-pipeline/constructs/skippable/validation"
)

var _ = skippable.New
var _ = parallel.New
var _ = validation.New
var _ = contract.DateParam

func main() {}
`})
	deps := goCmd("list", "-deps", ".")
	if !strings.Contains(deps, "github.com/aws/aws-cdk-go/awscdk/v2\n") {
		t.Fatalf("the consumer does not link the CDK; go list -deps says:\n%s", deps)
	}
	for _, banned := range []string{
		"github.com/cdklabs/cdk-nag-go",
		"github.com/aws/aws-lambda-go",
		"github.com/aws/aws-sdk-go-v2",
		"github.com/xiatechs/jsonata-go",
	} {
		if strings.Contains(deps, banned) {
			t.Errorf("the consumer links %s", banned)
		}
	}
	for _, pkg := range strings.Fields(deps) {
		if strings.HasPrefix(pkg, "github.com/partialruns/velib-pipeline/") &&
			!strings.HasPrefix(pkg, "github.com/partialruns/velib-pipeline/constructs/skippable") {
			t.Errorf("the consumer links the pipeline's package %s", pkg)
		}
	}
}

// consumer writes files into a new module outside this repository that
// requires this one (from this folder, as a replace), runs go mod tidy,
// and returns a function that runs the go command in it. Everything is
// offline: every module must come from the cache, as the repository's own
// set-up left it, whose sums were checked on download.
func consumer(t *testing.T, files map[string]string) func(args ...string) string {
	t.Helper()
	here, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files["go.mod"] = "module example.com/consumer\n\ngo 1.26.0\n\n" +
		"require github.com/partialruns/velib-pipeline/constructs/skippable v0.0.0\n\n" +
		"replace github.com/partialruns/velib-pipeline/constructs/skippable => " + here + "\n"
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	goCmd := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOPROXY=off", "GOSUMDB=off", "GOWORK=off", "GOFLAGS=-mod=mod")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	goCmd("mod", "tidy")
	return goCmd
}
