package rehearse

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/partialruns/velib-pipeline/internal/layout"
	"github.com/partialruns/velib-pipeline/internal/local"
)

// Options configure a rehearsal.
type Options struct {
	// Root is the module root, where make and the CDK CLI run.
	Root string
	// Venv is MiniStack's virtual environment.
	Venv string
	// Dir holds the rehearsal's assemblies, the emulator's data and the
	// commands' log; it is kept for a look afterwards.
	Dir string
	// Baseline is the commit of the last release, deployed first and
	// upgraded; empty skips the upgrade.
	Baseline string
	// Out gets one line per step.
	Out io.Writer
}

// Run rehearses a deploy on the emulator: see the package documentation
// and docs/rehearsal.md.
func Run(ctx context.Context, o Options) (err error) {
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return err
	}
	log, err := os.Create(filepath.Join(o.Dir, "commands.log"))
	if err != nil {
		return err
	}
	defer log.Close()
	defer func() {
		if err != nil {
			err = fmt.Errorf("%w\n(every command's output: %s)", err, log.Name())
		}
	}()
	feed, err := local.NewFeed()
	if err != nil {
		return err
	}
	feedURL, stopFeed, err := feed.Serve()
	if err != nil {
		return err
	}
	defer stopFeed()
	emu, err := StartEmulator(o.Venv, o.Dir)
	if err != nil {
		return err
	}
	defer emu.Stop()
	fmt.Fprintf(o.Out, "rehearse: MiniStack on %s (log %s), feed on %s\n", emu.URL, emu.Log, feedURL)

	env := Environment(os.Environ(), emu.URL)
	sh := &shell{root: o.Root, env: env, out: o.Out, log: log}
	c := newClients(emu.URL)
	r := &rehearsal{Options: o, sh: sh, c: c, context: []string{
		"-c", fmt.Sprintf(`systems=[{"id":%q,"url":%q}]`, layout.DefaultSystem, feedURL),
		"-c", EventRuns,
	}}
	return r.run(ctx)
}

type rehearsal struct {
	Options
	sh *shell
	c  *clients
	// context is the rehearsal's context options, for every synth.
	context []string
}

const stack = layout.StackID

// hostArch is the Lambda architecture of this machine.
func hostArch() (string, error) {
	switch runtime.GOARCH {
	case "amd64":
		return "x86_64", nil
	case "arm64":
		return "arm64", nil
	}
	return "", fmt.Errorf("Lambda has no architecture for a %s host", runtime.GOARCH)
}

func (r *rehearsal) path(name string) string { return filepath.Join(r.Dir, name) }

func (r *rehearsal) cdk(dir string, args ...string) (string, error) {
	return r.sh.run(dir, filepath.Join(r.Root, ".tools", "node_modules", ".bin", "cdk"), append(args, "--no-notices")...)
}

// synth synthesizes the app in dir (the module root when empty) into out,
// with the rehearsal's context and extra.
func (r *rehearsal) synth(dir, out string, extra ...string) error {
	if err := os.RemoveAll(out); err != nil {
		return err
	}
	args := append([]string{"synth", stack, "--quiet", "-o", out}, r.context...)
	_, err := r.cdk(dir, append(args, extra...)...)
	return err
}

// deploy runs make deploy on the assembly at dir.
func (r *rehearsal) deploy(dir string) (string, error) {
	return r.sh.run("", "make", "--no-print-directory", "deploy", "ASSEMBLY="+dir, "CDK_ARGS=--require-approval never")
}

func (r *rehearsal) run(ctx context.Context) error {
	sh := r.sh
	arch, err := hostArch()
	if err != nil {
		return err
	}
	if err := sh.step("make bootstrap", func() error {
		_, err := sh.run("", "make", "--no-print-directory", "bootstrap", "CDK_ARGS=-o "+r.path("bootstrap.out"))
		return err
	}); err != nil {
		return err
	}
	if err := sh.step("an assembly synthesized with bundling skipped (cdk list) is refused by make deploy and cdk deploy", func() error {
		if _, err := r.cdk("", "list", "-o", r.path("unbundled.out")); err != nil {
			return err
		}
		errs, err := functionErrors(r.path("unbundled.out"), stack)
		if err != nil {
			return err
		}
		if len(errs) == 0 {
			return errors.New("no function in it carries an error")
		}
		// make deploy's validation stops first; the CLI, asked directly,
		// must refuse too.
		for what, deploy := range map[string]func() (string, error){
			"make deploy": func() (string, error) { return r.deploy(r.path("unbundled.out")) },
			"cdk deploy": func() (string, error) {
				return r.cdk("", "deploy", "--app", r.path("unbundled.out"), stack, "--require-approval", "never")
			},
		} {
			out, err := deploy()
			if err == nil {
				return fmt.Errorf("%s accepted it", what)
			}
			for _, e := range errs {
				if !strings.Contains(out, e) {
					return fmt.Errorf("%s failed without the function's error %q: %v", what, e, err)
				}
			}
		}
		return nil
	}); err != nil {
		return err
	}
	var subs []Substitution
	current := r.path("current.out")
	if err := sh.step("synthesize make synth's template and the rehearsal's (function built for "+arch+"); compare them", func() error {
		if err := r.synth("", r.path("plain.out")); err != nil {
			return err
		}
		if err := r.synth("", current, "-c", "lambdaArchitecture="+arch); err != nil {
			return err
		}
		if subs, err = Substitute(current, stack); err != nil {
			return err
		}
		plain, err := readJSON(filepath.Join(r.path("plain.out"), stack+".template.json"))
		if err != nil {
			return err
		}
		rehearsed, err := readJSON(filepath.Join(current, stack+".template.json"))
		if err != nil {
			return err
		}
		return Compare(plain, rehearsed, subs)
	}); err != nil {
		return err
	}
	if err := sh.step(fmt.Sprintf("create the %d substituted resource(s) through their API", len(subs)), func() error {
		return r.createSubstitutes(ctx, subs)
	}); err != nil {
		return err
	}
	var before kept
	if r.Baseline != "" {
		if before, err = r.deployBaseline(ctx, arch); err != nil {
			return err
		}
	}
	if err := sh.step("make deploy ASSEMBLY="+current, func() error {
		_, err := r.deploy(current)
		return err
	}); err != nil {
		return err
	}
	template, err := readJSON(filepath.Join(current, stack+".template.json"))
	if err != nil {
		return err
	}
	var d *deployed
	if err := sh.step("every resource complete and known to its service", func() error {
		if d, err = r.c.describeStack(ctx, stack, template); err != nil {
			return err
		}
		return r.checkAll(ctx, d)
	}); err != nil {
		return err
	}
	if err := sh.step("the function's published package holds its bootstrap binary", func() error {
		return r.c.checkPackages(ctx, d)
	}); err != nil {
		return err
	}
	if r.Baseline != "" {
		if err := sh.step("the upgrade kept the snapshot and the table written before it", func() error {
			status, err := r.c.stackStatus(ctx)
			if err != nil {
				return err
			}
			if status != "UPDATE_COMPLETE" && status != "CREATE_COMPLETE" {
				return fmt.Errorf("stack status %s", status)
			}
			return r.stillThere(ctx, before)
		}); err != nil {
			return err
		}
	}
	return r.runs(ctx, d)
}

// checkAll checks every resource of d and prints how many.
func (r *rehearsal) checkAll(ctx context.Context, d *deployed) error {
	counts, err := r.c.checkResources(ctx, d)
	if err != nil {
		return err
	}
	total := 0
	for _, n := range counts {
		total += n
	}
	fmt.Fprintf(r.sh.out, "%d resources of %d types ", total, len(counts))
	return nil
}

// deployBaseline deploys the baseline release's assembly, checks it,
// checks offline that upgrading it loses no stateful resource, and writes
// data into it to find after the upgrade.
func (r *rehearsal) deployBaseline(ctx context.Context, arch string) (kept, error) {
	defer r.removeWorktree()
	var dir string
	if err := r.sh.step("synthesize the baseline release "+r.Baseline[:12]+" in a temporary worktree", func() error {
		var err error
		if dir, err = r.baselineAssembly(arch); err != nil {
			return err
		}
		_, err = Substitute(dir, stack)
		return err
	}); err != nil {
		return kept{}, err
	}
	if err := r.sh.step("offline: cdk diff of make synth's template against the baseline's replaces or removes no "+strings.Join(Stateful, ", "), func() error {
		return r.statefulDiff(filepath.Join(r.path("baseline-plain.out"), stack+".template.json"))
	}); err != nil {
		return kept{}, err
	}
	if err := r.sh.step("make deploy ASSEMBLY="+dir+" (the baseline)", func() error {
		_, err := r.deploy(dir)
		return err
	}); err != nil {
		return kept{}, err
	}
	var k kept
	err := r.sh.step("the baseline: every resource complete; write a raw snapshot and a Glue table", func() error {
		template, err := readJSON(filepath.Join(dir, stack+".template.json"))
		if err != nil {
			return err
		}
		d, err := r.c.describeStack(ctx, stack, template)
		if err != nil {
			return err
		}
		if err := r.checkAll(ctx, d); err != nil {
			return err
		}
		k, err = r.writeData(ctx, d)
		return err
	})
	return k, err
}

// createSubstitutes creates each substituted resource through its API.
// The security configuration's key is the stack's own in AWS; here it is a
// key the rehearsal makes, since the stack's does not exist yet.
func (r *rehearsal) createSubstitutes(ctx context.Context, subs []Substitution) error {
	for _, s := range subs {
		switch s.Type {
		case "AWS::Glue::SecurityConfiguration":
			if _, err := r.c.glue.GetSecurityConfiguration(ctx, &glue.GetSecurityConfigurationInput{Name: aws.String(s.Name)}); err == nil {
				continue
			}
			key, err := r.c.kms.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("rehearsal: stands in for the stack's key in " + s.Name)})
			if err != nil {
				return err
			}
			conf, err := securityConfiguration(s.Properties, aws.ToString(key.KeyMetadata.Arn))
			if err != nil {
				return err
			}
			if _, err := r.c.glue.CreateSecurityConfiguration(ctx, &glue.CreateSecurityConfigurationInput{Name: aws.String(s.Name), EncryptionConfiguration: conf}); err != nil {
				return err
			}
		default:
			return fmt.Errorf("no way to create %s (%s) through its API", s.LogicalID, s.Type)
		}
	}
	return nil
}

// securityConfiguration is the template's EncryptionConfiguration for
// Glue's API, each key ARN replaced by keyARN.
func securityConfiguration(props map[string]any, keyARN string) (*gluetypes.EncryptionConfiguration, error) {
	var c struct {
		EncryptionConfiguration struct {
			CloudWatchEncryption   struct{ CloudWatchEncryptionMode string }
			JobBookmarksEncryption struct{ JobBookmarksEncryptionMode string }
			S3Encryptions          []struct{ S3EncryptionMode string }
		}
	}
	b, err := json.Marshal(props)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, err
	}
	e := c.EncryptionConfiguration
	out := &gluetypes.EncryptionConfiguration{
		CloudWatchEncryption: &gluetypes.CloudWatchEncryption{
			CloudWatchEncryptionMode: gluetypes.CloudWatchEncryptionMode(e.CloudWatchEncryption.CloudWatchEncryptionMode), KmsKeyArn: aws.String(keyARN),
		},
		JobBookmarksEncryption: &gluetypes.JobBookmarksEncryption{
			JobBookmarksEncryptionMode: gluetypes.JobBookmarksEncryptionMode(e.JobBookmarksEncryption.JobBookmarksEncryptionMode), KmsKeyArn: aws.String(keyARN),
		},
	}
	for _, s := range e.S3Encryptions {
		out.S3Encryption = append(out.S3Encryption, gluetypes.S3Encryption{S3EncryptionMode: gluetypes.S3EncryptionMode(s.S3EncryptionMode)})
	}
	return out, nil
}
