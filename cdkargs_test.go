package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/partialruns/velib-pipeline/internal/testinputs"
)

// TestSynthTakesOnlyTheContextOfCDKArgs runs scripts/synth.sh with a cdk
// that prints its arguments: make deploy passes one CDK_ARGS to both the
// synth and the deploy, and cdk synth refuses a deploy option such as
// --require-approval ("Unknown option(s)").
func TestSynthTakesOnlyTheContextOfCDKArgs(t *testing.T) {
	testinputs.Declare(t, "scripts/synth.sh")
	bin := t.TempDir()
	fake := "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n"
	if err := os.WriteFile(filepath.Join(bin, "cdk"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		args []string
		want []string
	}{
		{name: "no CDK_ARGS", args: nil, want: []string{"synth", "Stack", "--quiet"}},
		{
			name: "a deploy option is left out",
			args: []string{"--require-approval", "never"},
			want: []string{"synth", "Stack", "--quiet"},
		},
		{
			name: "context in every spelling, values with spaces kept whole",
			args: []string{"--require-approval", "never", "-c", "notificationEmail=ops@example.org", "--context", `systems=[{"id": "a b"}]`, "--context=glueWorkers=4", "-c=x=y", "--force"},
			want: []string{"synth", "Stack", "--quiet", "-c", "notificationEmail=ops@example.org", "-c", `systems=[{"id": "a b"}]`, "--context=glueWorkers=4", "-c=x=y"},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"scripts/synth.sh", "Stack", "--quiet", "--"}, c.args...)
			cmd := exec.Command("bash", args...)
			cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("synth.sh: %v\n%s", err, out)
			}
			if got := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n"); strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Errorf("cdk got\n  %q\nwant\n  %q", got, c.want)
			}
		})
	}
}

// TestSynthRefusesAContextWithoutAValue checks that "-c" at the end of
// CDK_ARGS is named, not dropped.
func TestSynthRefusesAContextWithoutAValue(t *testing.T) {
	testinputs.Declare(t, "scripts/synth.sh")
	out, err := exec.Command("bash", "scripts/synth.sh", "Stack", "--", "-c").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "CDK_ARGS: -c needs a key=value after it") {
		t.Errorf("synth.sh -- -c: err %v, output %s", err, out)
	}
}

// TestDeployGivesCDKArgsToTheCommand checks, with make -n, that make deploy
// and make diff synthesize through scripts/synth.sh and give CDK_ARGS whole
// to the command itself.
func TestDeployGivesCDKArgsToTheCommand(t *testing.T) {
	testinputs.Declare(t, "Makefile")
	for _, target := range []string{"deploy", "diff"} {
		out, err := exec.Command("make", "-n", "--no-print-directory", target, "CDK_ARGS=--require-approval never -c notificationEmail=ops@example.org").CombinedOutput()
		if err != nil {
			t.Fatalf("make -n %s: %v\n%s", target, err, out)
		}
		for _, want := range []string{
			"bash scripts/synth.sh AWSStateFunctionPartialRuns --quiet --no-notices -- --require-approval never -c notificationEmail=ops@example.org",
			"cdk " + target + " --app cdk.out AWSStateFunctionPartialRuns --require-approval never -c notificationEmail=ops@example.org",
		} {
			if !strings.Contains(string(out), want) {
				t.Errorf("make -n %s does not run\n  %s\nit runs:\n%s", target, want, out)
			}
		}
	}
}

// TestDeployAnAssembly checks, with make -n, that make deploy ASSEMBLY=dir
// deploys that assembly as it is: no synth, its template validated, the
// CLI pointed at it; and that context, which would shape nothing, is
// refused.
func TestDeployAnAssembly(t *testing.T) {
	testinputs.Declare(t, "Makefile")
	out, err := exec.Command("make", "-n", "--no-print-directory", "deploy", "ASSEMBLY=/tmp/a.out", "CDK_ARGS=--require-approval never").CombinedOutput()
	if err != nil {
		t.Fatalf("make -n deploy: %v\n%s", err, out)
	}
	for _, want := range []string{
		"validate -template /tmp/a.out/AWSStateFunctionPartialRuns.template.json -require-credentials",
		"cdk deploy --app /tmp/a.out AWSStateFunctionPartialRuns --require-approval never",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("make -n deploy ASSEMBLY=/tmp/a.out does not run\n  %s\nit runs:\n%s", want, out)
		}
	}
	if strings.Contains(string(out), "synth") {
		t.Errorf("make deploy ASSEMBLY= synthesizes:\n%s", out)
	}
	for _, args := range []string{"-c glueWorkers=4", "-cglueWorkers=4", "--context=glueWorkers=4", "--context glueWorkers=4", "--require-approval never -c=x=y"} {
		out, err = exec.Command("make", "-n", "--no-print-directory", "deploy", "ASSEMBLY=/tmp/a.out", "CDK_ARGS="+args).CombinedOutput()
		if err == nil || !strings.Contains(string(out), "ASSEMBLY is deployed as it was synthesized: give context (-c) when synthesizing it, not to make deploy") {
			t.Errorf("make deploy ASSEMBLY= CDK_ARGS=%q: %v\n%s", args, err, out)
		}
	}
	out, err = exec.Command("make", "-n", "--no-print-directory", "diff", "ASSEMBLY=/tmp/a.out").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "cdk diff --app /tmp/a.out AWSStateFunctionPartialRuns") || strings.Contains(string(out), "synth") {
		t.Errorf("make -n diff ASSEMBLY=/tmp/a.out: %v\n%s", err, out)
	}
}

// TestDeployWithoutCredentials runs the real make deploy and make diff
// with every credential source switched off: one line, exit 3 from the
// check, and no synth before it.
func TestDeployWithoutCredentials(t *testing.T) {
	testinputs.Declare(t, "Makefile", "cmd/validate/*.go")
	empty := filepath.Join(t.TempDir(), "none")
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	env = append(env, "AWS_CONFIG_FILE="+empty, "AWS_SHARED_CREDENTIALS_FILE="+empty, "AWS_EC2_METADATA_DISABLED=true")
	for _, target := range []string{"deploy", "diff"} {
		cmd := exec.Command("make", "--no-print-directory", "-s", target)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if err == nil || len(lines) != 2 ||
			!strings.HasPrefix(lines[0], "validate: no AWS credentials found: set AWS_PROFILE") ||
			!strings.Contains(lines[1], "Error 3") {
			t.Errorf("make %s without credentials: %v\n%s", target, err, out)
		}
	}
}
