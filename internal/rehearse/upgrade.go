package rehearse

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/partialruns/velib-pipeline/internal/layout"
)

// Stateful are the types whose replacement or removal loses data: an
// upgrade must do neither to any of them. The stack's upgrade test reads
// the same list.
var Stateful = []string{"AWS::S3::Bucket", "AWS::KMS::Key", "AWS::Glue::Database", "AWS::Glue::Table", "AWS::Logs::LogGroup", "AWS::DynamoDB::Table"}

// diffLine is a resource line of cdk diff's output: "[-] type path id"
// or "[~] type path id" with "replace" or "may be replaced" after it.
var diffLine = regexp.MustCompile(`^\[([-~+])\] (AWS::\S+) (.*)$`)

// renameLine is a property line under a resource that changes a name a
// stateful resource is found by (DatabaseInput's .Name, BucketName,
// LogGroupName, ...). cdk diff may call that an update in place, yet
// whatever was stored under the old name is no longer where the stack
// looks.
var renameLine = regexp.MustCompile(`\[~\] \.?(Name|BucketName|LogGroupName|DatabaseName|TableName|AliasName)\b`)

// StatefulLosses lists, from cdk diff's output, the stateful resources
// the change removes, replaces (or may replace), or renames.
func StatefulLosses(diff string) []string {
	var out []string
	var current string // the stateful resource being updated, if any
	for _, line := range strings.Split(diff, "\n") {
		plain := strings.TrimSpace(stripANSI(line))
		if m := diffLine.FindStringSubmatch(plain); m != nil {
			current = ""
			if !isStateful(m[2]) {
				continue
			}
			if m[1] == "-" || strings.Contains(m[3], "replace") {
				out = append(out, plain)
			} else if m[1] == "~" {
				current = plain
			}
			continue
		}
		if current != "" && renameLine.MatchString(plain) {
			out = append(out, current+" (renamed: "+strings.TrimLeft(plain, "│├└─ ")+")")
			current = ""
		}
	}
	return out
}

func isStateful(typ string) bool { return slices.Contains(Stateful, typ) }

var ansi = regexp.MustCompile(`\x1b\[[0-9;]*m`)

func stripANSI(s string) string { return ansi.ReplaceAllString(s, "") }

// kept is what the rehearsal writes into the baseline's deployment, to
// find again after the upgrade.
type kept struct {
	bucket, key string
	database    string
	table       string
}

// baselineAssembly checks out the baseline commit in a temporary worktree
// and synthesizes its assembly there, with the rehearsal's context; it
// returns the assembly's folder.
func (r *rehearsal) baselineAssembly(arch string) (string, error) {
	src := r.path("baseline-src")
	// A worktree left by a rehearsal that was killed would be in the way.
	if _, err := r.sh.run("", "git", "worktree", "prune"); err != nil {
		return "", err
	}
	if _, err := r.sh.run("", "git", "worktree", "add", "--detach", "--force", src, r.Baseline); err != nil {
		return "", err
	}
	// The diff compares make synth's templates, the function built for
	// arm64 in both; the deploy needs the host's build.
	if err := r.synth(src, r.path("baseline-plain.out")); err != nil {
		return "", err
	}
	out := r.path("baseline.out")
	if err := r.synth(src, out, "-c", "lambdaArchitecture="+arch); err != nil {
		return "", err
	}
	return out, nil
}

// removeWorktree removes the baseline's worktree, if any.
func (r *rehearsal) removeWorktree() {
	src := r.path("baseline-src")
	if _, err := os.Stat(src); err == nil {
		r.sh.run("", "git", "worktree", "remove", "--force", src)
	}
}

// statefulDiff runs cdk diff of the current app's template (make synth's)
// against the baseline's, offline, and fails on any stateful loss.
func (r *rehearsal) statefulDiff(baselineTemplate string) error {
	out, err := r.cdk("", "diff", "--app", r.path("plain.out"), "--template", baselineTemplate, stack)
	// cdk diff exits 0 with or without differences (no --fail).
	if err != nil {
		return err
	}
	if losses := StatefulLosses(out); len(losses) > 0 {
		return fmt.Errorf("the upgrade would remove or replace stateful resources:\n  %s", strings.Join(losses, "\n  "))
	}
	return nil
}

// writeData puts a raw snapshot in the data bucket and creates a table in
// the Glue database (the jobs cannot run here to create one).
func (r *rehearsal) writeData(ctx context.Context, d *deployed) (kept, error) {
	fn, err := d.one("AWS::Lambda::Function")
	if err != nil {
		return kept{}, err
	}
	bucket, err := r.c.functionBucket(ctx, fn)
	if err != nil {
		return kept{}, err
	}
	database, err := d.one("AWS::Glue::Database")
	if err != nil {
		return kept{}, err
	}
	k := kept{bucket: bucket, key: layout.RawPrefix(layout.DefaultSystem) + "dt=2026-12-01/rehearsal-upgrade.json", database: database, table: "rehearsal_upgrade"}
	if _, err := r.c.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(k.bucket), Key: aws.String(k.key), Body: strings.NewReader(`{"written": "before the upgrade"}`)}); err != nil {
		return kept{}, err
	}
	_, err = r.c.glue.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: aws.String(k.database), TableInput: &gluetypes.TableInput{
		Name: aws.String(k.table),
		StorageDescriptor: &gluetypes.StorageDescriptor{
			Location: aws.String(fmt.Sprintf("s3://%s/silver/rehearsal/", k.bucket)),
			Columns:  []gluetypes.Column{{Name: aws.String("station_id"), Type: aws.String("string")}},
		},
	}})
	return k, err
}

// stillThere checks that what writeData wrote survived.
func (r *rehearsal) stillThere(ctx context.Context, k kept) error {
	if _, err := r.c.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(k.bucket), Key: aws.String(k.key)}); err != nil {
		return fmt.Errorf("s3://%s/%s: %w", k.bucket, k.key, err)
	}
	if _, err := r.c.glue.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String(k.database), Name: aws.String(k.table)}); err != nil {
		return fmt.Errorf("table %s.%s: %w", k.database, k.table, err)
	}
	return nil
}

// stackStatus is the stack's status, e.g. UPDATE_COMPLETE.
func (c *clients) stackStatus(ctx context.Context) (string, error) {
	out, err := c.cfn.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(stack)})
	if err != nil {
		return "", err
	}
	if len(out.Stacks) != 1 {
		return "", fmt.Errorf("DescribeStacks returned %d stacks", len(out.Stacks))
	}
	return string(out.Stacks[0].StackStatus), nil
}
