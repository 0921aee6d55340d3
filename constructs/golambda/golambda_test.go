package golambda

import (
	"debug/elf"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"
)

// module writes a small Go module with a main package in cmd/fn that
// imports a package of its own, and returns its root.
func module(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	files := map[string]string{
		"go.mod":          "module example.com/fn\n\ngo 1.22\n",
		"cmd/fn/main.go":  "package main\n\nimport \"example.com/fn/greet\"\n\nfunc main() { println(greet.Hello()) }\n",
		"greet/greet.go":  "package greet\n\nfunc Hello() string { return \"hello\" }\n",
		"greet/x_test.go": "package greet\n",
		"unused/u.go":     "package unused\n",
	}
	for name, body := range files {
		write(t, root, name, body)
	}
	return root
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
	want, err := AssetHash(base, "./cmd/fn")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		change func(root string)
		same   bool
	}{
		{"nothing changed", func(string) {}, true},
		{"a test file changed", func(r string) { write(t, r, "greet/x_test.go", "package greet\n\n// changed\n") }, true},
		{"a package it does not import changed", func(r string) { write(t, r, "unused/u.go", "package unused\n\n// changed\n") }, true},
		{"the main package changed", func(r string) { write(t, r, "cmd/fn/main.go", "package main\n\nfunc main() {}\n") }, false},
		{"an imported package changed", func(r string) {
			write(t, r, "greet/greet.go", "package greet\n\nfunc Hello() string { return \"hi\" }\n")
		}, false},
		{"a new file in an imported package", func(r string) { write(t, r, "greet/more.go", "package greet\n") }, false},
		{"go.mod changed", func(r string) { write(t, r, "go.mod", "module example.com/fn\n\ngo 1.23\n") }, false},
		{"go.sum appeared", func(r string) { write(t, r, "go.sum", "") }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// A fresh copy elsewhere also checks that the location of the
			// checkout does not enter the hash.
			root := module(t)
			tc.change(root)
			got, err := AssetHash(root, "./cmd/fn")
			if err != nil {
				t.Fatal(err)
			}
			if (got == want) != tc.same {
				t.Errorf("hash changed = %v, want %v", got != want, !tc.same)
			}
		})
	}
}

func TestAssetHashErrors(t *testing.T) {
	root := module(t)
	if _, err := AssetHash(root, "./missing"); err == nil || !strings.Contains(err.Error(), "go list ./missing") {
		t.Errorf("err = %v, want a go list error naming the package", err)
	}
}

func TestBuild(t *testing.T) {
	root := module(t)
	out := t.TempDir()
	if err := Build(root, "./cmd/fn", out); err != nil {
		t.Fatal(err)
	}
	f, err := elf.Open(filepath.Join(out, "bootstrap"))
	if err != nil {
		t.Fatalf("bootstrap is not an ELF binary: %v", err)
	}
	defer f.Close()
	if f.Machine != elf.EM_AARCH64 {
		t.Errorf("machine = %v, want arm64 for Graviton", f.Machine)
	}
	info, err := os.Stat(filepath.Join(out, "bootstrap"))
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode()&0o111 == 0 {
		t.Errorf("bootstrap mode %v is not executable", info.Mode())
	}
}

func TestBuildReportsCompilerErrors(t *testing.T) {
	root := module(t)
	write(t, root, "cmd/fn/main.go", "package main\n\nfunc main() { undefinedThing() }\n")
	err := Build(root, "./cmd/fn", t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "undefinedThing") {
		t.Fatalf("err = %v, want the compiler's message", err)
	}
	defer func() {
		if r := recover(); r == nil {
			t.Error("TryBundle did not panic on a failed build")
		}
	}()
	(&localBundling{moduleRoot: root, entry: "./cmd/fn"}).TryBundle(jsii.String(t.TempDir()), nil)
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
