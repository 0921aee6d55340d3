package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/partialruns/velib-pipeline/internal/testinputs"
)

// fakeSynth is a cdk that writes a template holding $TEMPLATE into
// cdk.out (or the -o folder), counts its runs in $RUNS, warns on stderr,
// and fails when $FAIL is set.
const fakeSynth = `#!/bin/sh
echo run >> "$RUNS"
[ -n "$FAIL" ] && { echo "synth failed" >&2; exit 1; }
out=cdk.out
while [ $# -gt 0 ]; do [ "$1" = -o ] && out=$2; shift; done
mkdir -p "$out" && printf '%s' "$TEMPLATE" > "$out/Stack.template.json"
echo "WARNING no subscriber" >&2
`

// TestSynthReusesAnAssemblyMadeFromTheSameInputs runs scripts/synthonce.sh
// with a fake cdk in a project of a few files, step by step: make synth
// reuses cdk.out only when every input, the command and cdk.out itself
// are as the last synth left them, and replays its warnings.
func TestSynthReusesAnAssemblyMadeFromTheSameInputs(t *testing.T) {
	testinputs.Declare(t, "scripts/synthonce.sh")
	script, err := filepath.Abs("scripts/synthonce.sh")
	if err != nil {
		t.Fatal(err)
	}
	dir, bin := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "cdk"), []byte(fakeSynth), 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"main.go":                     "package main",
		"cdk.json":                    `{"context": {}}`,
		"stacks/pipeline.go":          "package stacks",
		"stacks/pipeline_test.go":     "package stacks",
		"stacks/testdata/golden.json": "{}",
		"glue_scripts/job.py":         "print(1)",
		"glue_scripts/tests/t.py":     "def test(): pass",
	}
	for name, text := range files {
		write(t, filepath.Join(dir, name), text)
	}
	runs := filepath.Join(t.TempDir(), "runs")
	env := append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "RUNS="+runs,
		"TEMPLATE=v1", "FAIL=", "CDK_DEFAULT_ACCOUNT=", "AWS_SECRET_ACCESS_KEY=")
	count := func() int {
		b, _ := os.ReadFile(runs)
		return strings.Count(string(b), "run")
	}
	for _, step := range []struct {
		name   string
		change func()
		args   []string
		env    []string
		synth  bool
		fails  bool
	}{
		{name: "first synth", synth: true},
		{name: "nothing changed", synth: false},
		{name: "a stack source changed", change: func() { write(t, filepath.Join(dir, "stacks/pipeline.go"), "package stacks // v2") }, synth: true},
		{name: "a test changed", change: func() { write(t, filepath.Join(dir, "stacks/pipeline_test.go"), "package stacks // v2") }, synth: false},
		{name: "testdata changed", change: func() { write(t, filepath.Join(dir, "stacks/testdata/golden.json"), "[]") }, synth: false},
		{name: "a Glue test changed", change: func() { write(t, filepath.Join(dir, "glue_scripts/tests/t.py"), "") }, synth: false},
		{name: "a Glue script changed", change: func() { write(t, filepath.Join(dir, "glue_scripts/job.py"), "print(2)") }, synth: true},
		{name: "a Glue script added", change: func() { write(t, filepath.Join(dir, "glue_scripts/lib/new.py"), "") }, synth: true},
		{name: "bytecode beside the scripts", change: func() { write(t, filepath.Join(dir, "glue_scripts/lib/__pycache__/new.pyc"), "x") }, synth: false},
		{name: "cdk.json changed", change: func() { write(t, filepath.Join(dir, "cdk.json"), `{"context": {"a": 1}}`) }, synth: true},
		{name: "cdk.context.json appeared", change: func() { write(t, filepath.Join(dir, "cdk.context.json"), `{}`) }, synth: true},
		{name: "context on the command line", args: []string{"-c", "glueWorkers=4"}, synth: true},
		{name: "the same context again", args: []string{"-c", "glueWorkers=4"}, synth: false},
		{name: "another account", env: []string{"CDK_DEFAULT_ACCOUNT=123456789012"}, synth: true},
		{name: "a secret is no input", env: []string{"CDK_DEFAULT_ACCOUNT=123456789012", "AWS_SECRET_ACCESS_KEY=x"}, synth: false},
		{name: "the template was edited", change: func() { write(t, filepath.Join(dir, "cdk.out/Stack.template.json"), "edited") }, env: []string{"CDK_DEFAULT_ACCOUNT=123456789012"}, synth: true},
		{name: "a file added to cdk.out", change: func() { write(t, filepath.Join(dir, "cdk.out/extra.json"), "{}") }, env: []string{"CDK_DEFAULT_ACCOUNT=123456789012"}, synth: true},
		{name: "cdk.out removed", change: func() { os.RemoveAll(filepath.Join(dir, "cdk.out")) }, env: []string{"CDK_DEFAULT_ACCOUNT=123456789012"}, synth: true},
		{name: "FRESH", args: []string{"--fresh"}, env: []string{"CDK_DEFAULT_ACCOUNT=123456789012"}, synth: true},
		{name: "a failed synth", change: func() { write(t, filepath.Join(dir, "main.go"), "package main // v2") }, env: []string{"FAIL=1"}, synth: true, fails: true},
		{name: "after a failure, the same inputs synthesize", synth: true},
		{name: "another output folder is never reused", args: []string{"-o", "elsewhere"}, synth: true},
		{name: "nor the second time", args: []string{"-o", "elsewhere"}, synth: true},
		{name: "cdk.out is still reused", synth: false},
	} {
		if step.change != nil {
			step.change()
		}
		args := []string{script}
		if len(step.args) > 0 && step.args[0] == "--fresh" {
			args = append(args, "--fresh")
			step.args = step.args[1:]
		}
		args = append(append(args, "--", "cdk", "synth", "Stack", "--quiet"), step.args...)
		cmd := exec.Command("bash", args...)
		cmd.Dir, cmd.Env = dir, append(append([]string{}, env...), step.env...)
		before := count()
		out, err := cmd.CombinedOutput()
		if (err != nil) != step.fails {
			t.Fatalf("%s: err %v, want failure %v\n%s", step.name, err, step.fails, out)
		}
		if synthesized := count() > before; synthesized != step.synth {
			t.Fatalf("%s: synthesized %v, want %v\n%s", step.name, synthesized, step.synth, out)
		}
		reused := strings.Contains(string(out), "cdk.out is up to date")
		if reused == step.synth {
			t.Errorf("%s: says reused %v, synthesized %v\n%s", step.name, reused, step.synth, out)
		}
		if !step.fails && !strings.Contains(string(out), "WARNING no subscriber") {
			t.Errorf("%s: the synth's warnings are not shown:\n%s", step.name, out)
		}
	}
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
