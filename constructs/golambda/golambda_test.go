package golambda

import (
	"debug/elf"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/internal/modroot"
)

// module writes a small Go module with a main package in cmd/fn that
// imports a package of its own, and returns its root.
func module(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	files := map[string]string{
		"go.mod":          goMod(""),
		"cmd/fn/main.go":  "package main\n\nimport (\n\t\"example.com/dep\"\n\t\"example.com/fn/greet\"\n)\n\nfunc main() { println(greet.Hello(), dep.Name) }\n",
		"greet/greet.go":  "package greet\n\nfunc Hello() string { return \"hello\" }\n",
		"greet/x_test.go": "package greet\n",
		"unused/u.go":     "package unused\n",
		// Modules of their own, replaced by local folders so that go list
		// needs no network: one the function imports, one it does not.
		"dep/go.mod":     "module example.com/dep\n\ngo 1.22\n",
		"dep/dep.go":     "package dep\n\nconst Name = \"dep\"\n",
		"other/go.mod":   "module example.com/other\n\ngo 1.22\n",
		"other/other.go": "package other\n",
	}
	for name, body := range files {
		write(t, root, name, body)
	}
	return root
}

// goMod is the test module's go.mod; extra is added to its require block.
func goMod(extra string) string {
	return "module example.com/fn\n\ngo 1.22\n\nrequire (\n\texample.com/dep v0.0.0\n" + extra + ")\n\n" +
		"replace example.com/dep => ./dep\n\nreplace example.com/other => ./other\n"
}

func write(t *testing.T, root, name, body string) {
	t.Helper()
	path := filepath.Join(root, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestAssetHash(t *testing.T) {
	base := module(t)
	want, err := AssetHash(base, "./cmd/fn", "arm64")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		change func(root string)
		goarch string // default arm64
		same   bool
	}{
		{"nothing changed", func(string) {}, "", true},
		// An x86_64 build (the emulator rehearsal's) must never be
		// mistaken for the Graviton one.
		{"the target architecture changed", func(string) {}, "amd64", false},
		{"a test file changed", func(r string) { write(t, r, "greet/x_test.go", "package greet\n\n// changed\n") }, "", true},
		{"a package it does not import changed", func(r string) { write(t, r, "unused/u.go", "package unused\n\n// changed\n") }, "", true},
		{"the main package changed", func(r string) { write(t, r, "cmd/fn/main.go", "package main\n\nfunc main() {}\n") }, "", false},
		{"an imported package changed", func(r string) {
			write(t, r, "greet/greet.go", "package greet\n\nfunc Hello() string { return \"hi\" }\n")
		}, "", false},
		{"a new file in an imported package", func(r string) { write(t, r, "greet/more.go", "package greet\n") }, "", false},
		{"the go version changed", func(r string) { write(t, r, "go.mod", strings.Replace(goMod(""), "go 1.22", "go 1.23", 1)) }, "", false},
		{"a module it links changed", func(r string) { write(t, r, "dep/dep.go", "package dep\n\nconst Name = \"dep2\"\n") }, "", false},
		{"a module it links changed version", func(r string) {
			write(t, r, "go.mod", strings.Replace(goMod(""), "example.com/dep v0.0.0", "example.com/dep v0.0.1", 1))
		}, "", false},
		// A CDK upgrade is such a change: it must not redeploy the function.
		{"a module it does not link was added", func(r string) { write(t, r, "go.mod", goMod("\texample.com/other v0.0.0\n")) }, "", true},
		{"a module it does not link changed", func(r string) { write(t, r, "other/other.go", "package other\n\n// changed\n") }, "", true},
		{"go.sum appeared", func(r string) { write(t, r, "go.sum", "example.com/unrelated v1.0.0 h1:x=\n") }, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// A fresh copy elsewhere also checks that the location of the
			// checkout does not enter the hash.
			root := module(t)
			tc.change(root)
			goarch := tc.goarch
			if goarch == "" {
				goarch = "arm64"
			}
			got, err := AssetHash(root, "./cmd/fn", goarch)
			if err != nil {
				t.Fatal(err)
			}
			if (got == want) != tc.same {
				t.Errorf("hash changed = %v, want %v", got != want, !tc.same)
			}
		})
	}
}

// TestLambdaHashLeavesOutTheCDK checks the ingest Lambda of this
// repository: its hash covers the AWS SDK and Lambda runtime modules it
// links, and no CDK module, so a CDK upgrade does not redeploy it.
func TestLambdaHashLeavesOutTheCDK(t *testing.T) {
	root, err := modroot.Find()
	if err != nil {
		t.Fatal(err)
	}
	in, err := buildInputs(root, "./lambda/loaddata", "arm64")
	if err != nil {
		t.Fatal(err)
	}
	var links []string
	for _, m := range in.modules {
		path, _, _ := strings.Cut(m, " ")
		links = append(links, path)
		if strings.Contains(path, "aws-cdk-go") || strings.Contains(path, "jsii-runtime-go") || strings.Contains(path, "cdk-nag") {
			t.Errorf("the Lambda's hash covers %s", m)
		}
	}
	if !slices.Contains(links, "github.com/aws/aws-lambda-go") {
		t.Errorf("the Lambda's hash leaves out the Lambda runtime it links: %v", links)
	}
}

func TestAssetHashErrors(t *testing.T) {
	root := module(t)
	if _, err := AssetHash(root, "./missing", "arm64"); err == nil || !strings.Contains(err.Error(), "go list ./missing") {
		t.Errorf("err = %v, want a go list error naming the package", err)
	}
}

func TestBuild(t *testing.T) {
	root := module(t)
	for goarch, machine := range map[string]elf.Machine{"arm64": elf.EM_AARCH64, "amd64": elf.EM_X86_64} {
		t.Run(goarch, func(t *testing.T) {
			out := t.TempDir()
			if err := Build(root, "./cmd/fn", goarch, out); err != nil {
				t.Fatal(err)
			}
			f, err := elf.Open(filepath.Join(out, "bootstrap"))
			if err != nil {
				t.Fatalf("bootstrap is not an ELF binary: %v", err)
			}
			defer f.Close()
			if f.Machine != machine {
				t.Errorf("machine = %v, want %v", f.Machine, machine)
			}
			info, err := os.Stat(filepath.Join(out, "bootstrap"))
			if err != nil {
				t.Fatal(err)
			}
			if info.Mode()&0o111 == 0 {
				t.Errorf("bootstrap mode %v is not executable", info.Mode())
			}
		})
	}
}

func TestBuildReportsCompilerErrors(t *testing.T) {
	root := module(t)
	write(t, root, "cmd/fn/main.go", "package main\n\nfunc main() { undefinedThing() }\n")
	err := Build(root, "./cmd/fn", "arm64", t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "undefinedThing") {
		t.Fatalf("err = %v, want the compiler's message", err)
	}
	defer func() {
		if r := recover(); r == nil {
			t.Error("TryBundle did not panic on a failed build")
		}
	}()
	(&localBundling{moduleRoot: root, entry: "./cmd/fn", goarch: "arm64"}).TryBundle(jsii.String(t.TempDir()), nil)
}

func TestNewFunctionRefusesFieldsItSets(t *testing.T) {
	defer func() {
		r := recover()
		if r == nil || !strings.Contains(r.(error).Error(), "set by golambda") {
			t.Errorf("recovered %v, want a message that golambda sets Handler", r)
		}
	}()
	NewFunction(nil, jsii.String("Fn"), &Props{Entry: "./cmd/fn", FunctionProps: awslambda.FunctionProps{Handler: jsii.String("main")}})
}

// TestUnbundledAssemblyCannotShipTheSource: cdk list and cdk bootstrap
// synthesize with bundling skipped, which leaves the asset pointing at the
// Go source. Its hash must differ from the binary's (an upload under the
// binary's hash would stay: the CLI skips keys that exist), and the
// function must carry an error, which makes cdk deploy refuse the assembly.
func TestUnbundledAssemblyCannotShipTheSource(t *testing.T) {
	root, err := modroot.Find()
	if err != nil {
		t.Fatal(err)
	}
	synth := func(ctx map[string]any) (hash string, errs []string) {
		app := awscdk.NewApp(&awscdk.AppProps{Context: &ctx})
		stack := awscdk.NewStack(app, jsii.String("S"), nil)
		NewFunction(stack, jsii.String("Fn"), &Props{Entry: "./lambda/loaddata", ModuleRoot: root})
		for _, m := range *assertions.Template_FromStack(stack, nil).FindResources(jsii.String("AWS::Lambda::Function"), nil) {
			hash = (*m)["Properties"].(map[string]any)["Code"].(map[string]any)["S3Key"].(string)
		}
		for _, e := range *assertions.Annotations_FromStack(stack).FindError(jsii.String("*"), assertions.Match_AnyValue()) {
			errs = append(errs, fmt.Sprint(e.Entry.Data))
		}
		return hash, errs
	}
	bundled, errs := synth(map[string]any{"aws:cdk:bundling-stacks": []string{"**"}})
	if len(errs) != 0 {
		t.Fatalf("a bundled function has errors: %v", errs)
	}
	readOnly, errs := synth(map[string]any{"aws:cdk:bundling-stacks": []string{}, ReadOnlySynth: true})
	if readOnly != bundled || len(errs) != 0 {
		t.Errorf("a read-only synth has asset key %s (built: %s) and errors %q; want the built key and none", readOnly, bundled, errs)
	}
	unbundled, errs := synth(map[string]any{"aws:cdk:bundling-stacks": []string{}})
	if unbundled == bundled {
		t.Errorf("asset key %s is the same bundled or not", bundled)
	}
	if len(errs) != 1 || errs[0] != Unbundled {
		t.Errorf("errors of the unbundled function = %q, want [%q]", errs, Unbundled)
	}
}
