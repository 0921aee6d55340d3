package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/partialruns/velib-pipeline/internal/testinputs"
)

// fakeSynth is a cdk that writes a template holding $TEMPLATE into
// cdk.out (or the -o folder), counts its runs in $RUNS, warns on stderr,
// fails when $FAIL is set and first sleeps $SLOW seconds when that is.
const fakeSynth = `#!/bin/sh
echo run >> "$RUNS"
[ -n "$SLOW" ] && sleep "$SLOW"
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
	home := t.TempDir()
	p := newSynthProject(t, map[string]string{
		"main.go":                     "package main\n\nimport _ \"fake/names\"\n\nfunc main() {}\n",
		"names/names.go":              "package names",
		"cdk.json":                    `{"context": {}}`,
		"stacks/pipeline.go":          "package stacks",
		"stacks/pipeline_test.go":     "package stacks",
		"stacks/testdata/golden.json": "{}",
		"glue_scripts/job.py":         "print(1)",
		"glue_scripts/lib/io.py":      "A = 1",
		"glue_scripts/tests/t.py":     "def test(): pass",
		"shared/a.py":                 "A = 1",
		"shared/b.py":                 "A = 2",
	}, "TEMPLATE=v1", "CDK_DEFAULT_ACCOUNT=", "AWS_SECRET_ACCESS_KEY=", "HOME="+home, "XDG_CONFIG_HOME="+home, "GOFLAGS=")
	dir := p.dir
	link := func(target string) func() {
		return func() {
			path := filepath.Join(dir, "glue_scripts/lib/shared.py")
			os.Remove(path)
			if err := os.Symlink(filepath.Join(dir, target), path); err != nil {
				t.Fatal(err)
			}
		}
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
		{name: "testdata changed (it may be embedded)", change: func() { write(t, filepath.Join(dir, "stacks/testdata/golden.json"), "[]") }, synth: true},
		{name: "a second Go file of the app", change: func() { write(t, filepath.Join(dir, "extra.go"), "package main") }, synth: true},
		{name: "a package outside the usual folders", change: func() { write(t, filepath.Join(dir, "names/names.go"), "package names // v2") }, synth: true},
		{name: "Go's own settings file", change: func() { write(t, filepath.Join(home, "go/env"), "GOFLAGS=-tags=x\n") }, synth: true},
		{name: "a file named like a Go test in the library it ships", change: func() { write(t, filepath.Join(dir, "glue_scripts/lib/notes_test.go"), "x") }, synth: true},
		{name: "a root test changed", change: func() { write(t, filepath.Join(dir, "main_test.go"), "package main") }, synth: false},
		{name: "a hidden file in the library it ships", change: func() { write(t, filepath.Join(dir, "glue_scripts/lib/.env"), "x") }, synth: true},
		{name: "the library links a file", change: link("shared/a.py"), synth: true},
		{name: "the link points elsewhere", change: link("shared/b.py"), synth: true},
		{name: "the linked file changed", change: func() { write(t, filepath.Join(dir, "shared/b.py"), "A = 3") }, synth: true},
		{name: "the user's ~/.cdk.json", change: func() { write(t, filepath.Join(home, ".cdk.json"), `{"versionReporting": false}`) }, synth: true},
		{name: "a Glue test changed", change: func() { write(t, filepath.Join(dir, "glue_scripts/tests/t.py"), "") }, synth: false},
		{name: "a Glue script changed", change: func() { write(t, filepath.Join(dir, "glue_scripts/job.py"), "print(2)") }, synth: true},
		{name: "a Glue script added", change: func() { write(t, filepath.Join(dir, "glue_scripts/lib/new.py"), "") }, synth: true},
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
		{name: "a failed synth", change: func() {
			write(t, filepath.Join(dir, "main.go"), "package main // v2\n\nimport _ \"fake/names\"\n\nfunc main() {}\n")
		}, env: []string{"FAIL=1"}, synth: true, fails: true},
		{name: "after a failure, the same inputs synthesize", synth: true},
		{name: "another output folder is never reused", args: []string{"-o", "elsewhere"}, synth: true},
		{name: "nor the second time", args: []string{"-o", "elsewhere"}, synth: true},
		{name: "cdk.out is still reused", synth: false},
		{name: "bytecode in the library", change: func() { write(t, filepath.Join(dir, "glue_scripts/lib/__pycache__/io.pyc"), "x") }, synth: false},
	} {
		if step.change != nil {
			step.change()
		}
		cmd := p.synth(step.env, append(step.args, "--quiet")...)
		before := p.runs()
		out, err := cmd.CombinedOutput()
		if (err != nil) != step.fails {
			t.Fatalf("%s: err %v, want failure %v\n%s", step.name, err, step.fails, out)
		}
		if synthesized := p.runs() > before; synthesized != step.synth {
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

// TestSynthsAtOnceTakeTurns starts a slow synth with other context, then,
// while it runs, one whose inputs the recorded synth matches: the second
// must wait and synthesize, not report cdk.out up to date while the
// first rewrites it.
func TestSynthsAtOnceTakeTurns(t *testing.T) {
	if _, err := exec.LookPath("flock"); err != nil {
		t.Skip("no flock on this system: two synths at once do not take turns (docs/testing.md)")
	}
	p := newSynthProject(t, nil)
	synth := p.synth
	if out, err := synth([]string{"TEMPLATE=plain"}).CombinedOutput(); err != nil {
		t.Fatalf("first synth: %v\n%s", err, out)
	}
	first := synth([]string{"TEMPLATE=other context", "SLOW=2"}, "-c", "x=1")
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond) // the first is in its synth
	out, err := synth([]string{"TEMPLATE=plain"}).CombinedOutput()
	if werr := first.Wait(); werr != nil {
		t.Fatalf("the slow synth: %v", werr)
	}
	if err != nil {
		t.Fatalf("second synth: %v\n%s", err, out)
	}
	got, err := os.ReadFile(filepath.Join(p.dir, "cdk.out", "Stack.template.json"))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "plain" || strings.Contains(string(out), "up to date") {
		t.Errorf("cdk.out holds %q after the second synth said:\n%s", got, out)
	}
}

// TestAnEditDuringTheSynthIsNotRecorded edits an input while a synth runs,
// then undoes the edit: whether the synth read the edit is unknown, so
// the next synth must run, not reuse what the first recorded.
func TestAnEditDuringTheSynthIsNotRecorded(t *testing.T) {
	p := newSynthProject(t, nil, "TEMPLATE=t")
	main := filepath.Join(p.dir, "main.go")
	slow := p.synth([]string{"SLOW=2"})
	if err := slow.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second) // the synth is under way
	write(t, main, "package main\n\nfunc main() { println() }\n")
	if err := slow.Wait(); err != nil {
		t.Fatal(err)
	}
	write(t, main, "package main\n\nfunc main() {}\n")
	out, err := p.synth(nil).CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if strings.Contains(string(out), "up to date") {
		t.Errorf("the synth after the edit was undone reused cdk.out:\n%s", out)
	}
}

// TestSynthOutIsMirrored runs scripts/synthonce.sh --out, as make
// local-assembly does, step by step: it synthesizes when an input or the
// assembly changed, a deleted source and a deleted assembly included, and
// mirrors the synth onto the folder, so a file whose content is the same
// keeps its time.
func TestSynthOutIsMirrored(t *testing.T) {
	testinputs.Declare(t, "cmd/mirror/*.go", "internal/mirror/*.go")
	mirror := filepath.Join(t.TempDir(), "mirror")
	if out, err := exec.Command("go", "build", "-o", mirror, "./cmd/mirror").CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/mirror: %v\n%s", err, out)
	}
	p := newSynthProject(t, map[string]string{
		"glue_scripts/job.py":     "print(1)",
		"glue_scripts/lib/old.py": "A = 1",
	}, "TEMPLATE=v1", "MIRROR="+mirror, "GOFLAGS=")
	asm := filepath.Join(p.dir, ".tools", "local.out")
	template := filepath.Join(asm, "Stack.template.json")
	long := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, step := range []struct {
		name   string
		change func()
		args   []string
		synth  bool
		// rewritten is whether the template gets a new time.
		rewritten bool
	}{
		{name: "first synth", synth: true, rewritten: true},
		{name: "nothing changed", synth: false},
		{name: "a library file deleted", change: func() { os.Remove(filepath.Join(p.dir, "glue_scripts/lib/old.py")) }, synth: true},
		{name: "other context, the same template", args: []string{"-c", "a=1"}, synth: true},
		{name: "the assembly deleted", change: func() { os.RemoveAll(asm) }, args: []string{"-c", "a=1"}, synth: true, rewritten: true},
		{name: "a file of the assembly edited", change: func() { write(t, template, "edited") }, args: []string{"-c", "a=1"}, synth: true, rewritten: true},
	} {
		if step.change != nil {
			step.change()
		}
		if _, err := os.Stat(template); err == nil {
			if err := os.Chtimes(template, long, long); err != nil {
				t.Fatal(err)
			}
		}
		before := p.runs()
		out, err := p.synth(nil, append([]string{"--out", asm}, append(step.args, "--quiet")...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", step.name, err, out)
		}
		if synthesized := p.runs() > before; synthesized != step.synth {
			t.Fatalf("%s: synthesized %v, want %v\n%s", step.name, synthesized, step.synth, out)
		}
		data, err := os.ReadFile(template)
		if err != nil || string(data) != "v1" {
			t.Fatalf("%s: the template holds %q (%v), want v1\n%s", step.name, data, err, out)
		}
		info, err := os.Stat(template)
		if err != nil {
			t.Fatal(err)
		}
		if rewritten := !info.ModTime().Equal(long); rewritten != step.rewritten {
			t.Errorf("%s: template rewritten %v, want %v", step.name, rewritten, step.rewritten)
		}
		if leftovers, _ := filepath.Glob(asm + ".??????"); len(leftovers) > 0 {
			t.Errorf("%s: the synth's folder is left: %v", step.name, leftovers)
		}
	}
}

// synthProject is a Go module of a few files, in which
// scripts/synthonce.sh runs with fakeSynth as cdk.
type synthProject struct {
	dir, script, counter string
	env                  []string
}

// newSynthProject writes files (go.mod and an empty main.go unless given)
// into a new folder; env is added to every synth's environment.
func newSynthProject(t *testing.T, files map[string]string, env ...string) *synthProject {
	t.Helper()
	testinputs.Declare(t, "scripts/synthonce.sh")
	script, err := filepath.Abs("scripts/synthonce.sh")
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "cdk"), []byte(fakeSynth), 0o755); err != nil {
		t.Fatal(err)
	}
	p := &synthProject{dir: t.TempDir(), script: script, counter: filepath.Join(t.TempDir(), "runs")}
	p.env = append(append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"RUNS="+p.counter, "FAIL=", "SLOW="), env...)
	all := map[string]string{"go.mod": "module fake\n\ngo 1.22\n", "main.go": "package main\n\nfunc main() {}\n"}
	for name, text := range files {
		all[name] = text
	}
	for name, text := range all {
		write(t, filepath.Join(p.dir, name), text)
	}
	return p
}

// synth is the command synthonce.sh runs as `cdk synth Stack args`, with
// env added; a first argument --fresh, or --out and its folder, goes to
// synthonce.sh instead.
func (p *synthProject) synth(env []string, args ...string) *exec.Cmd {
	own := []string{p.script}
	if len(args) > 0 && args[0] == "--fresh" {
		own, args = append(own, "--fresh"), args[1:]
	}
	if len(args) > 1 && args[0] == "--out" {
		own, args = append(own, args[:2]...), args[2:]
	}
	cmd := exec.Command("bash", append(append(own, "--", "cdk", "synth", "Stack"), args...)...)
	cmd.Dir, cmd.Env = p.dir, append(append([]string{}, p.env...), env...)
	return cmd
}

// runs is how many times cdk ran.
func (p *synthProject) runs() int {
	b, _ := os.ReadFile(p.counter)
	return strings.Count(string(b), "run")
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
