package stacks

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
	"github.com/partialruns/velib-pipeline/internal/layout"
)

// NagPacks are the cdk-nag rule packs every synth runs, by the prefix of
// their rule ids.
var NagPacks = []string{"AwsSolutions", "Serverless"}

// AddNagChecks applies the cdk-nag rule packs in NagPacks to scope: a
// finding not covered by Suppressions fails the synth (errors) or is printed
// (warnings), and the tests fail on either. Each pack also writes its
// report, every rule on every resource, into the assembly
// (<pack>--<stack>-NagReport.csv), which the tests read.
func AddNagChecks(scope constructs.IConstruct) {
	props := &cdknag.NagPackProps{Verbose: jsii.Bool(true)}
	aspects := awscdk.Aspects_Of(scope)
	aspects.Add(cdknag.NewAwsSolutionsChecks(props), nil)
	aspects.Add(cdknag.NewServerlessChecks(props), nil)
}

// Suppression is one accepted cdk-nag finding.
type Suppression struct {
	// Path is the construct's path below the stack.
	Path string
	// Rule is the cdk-nag rule, e.g. "AwsSolutions-IAM5".
	Rule string
	// Findings are the exact findings accepted, as cdk-nag reports them;
	// none for a rule that reports no detail (the whole rule, on this
	// resource only).
	// "<Name.Arn>" stands for the ARN of the resource with that construct
	// id, whatever hash CDK appends to its logical id.
	Findings []string
	// Reason is what a reviewer reads.
	Reason string
	// Optional marks a construct that only some configurations have.
	Optional bool
}

// Reasons that answer a cdk-nag finding and a checkov check alike.
const (
	reasonSynchronousOnly = "The state machine invokes the function synchronously and retries it; a dead-letter queue receives only failed asynchronous invocations, and this function has none."
)

// deadLetterQueues are the stack's dead-letter queues, by path, with what
// each holds.
var deadLetterQueues = []struct {
	path, of string
	optional bool
}{
	{"Failures/DeadLetters", "the alert rule's target and the e-mail subscription", false},
	{"Schedules/DeadLetters", "the schedules' targets", true}, // no schedules, no queue
}

// isADeadLetterQueue is the reason a dead-letter queue has none of its own.
func isADeadLetterQueue(of string) string {
	return "This queue is itself the dead-letter queue of " + of + "; nothing consumes it but a person, so there is nothing to redrive it to."
}

// Suppressions lists every accepted finding of a stack with cfg: each on
// one construct, for named findings only, with its reason.
// docs/security.md is generated from the list for DefaultConfig.
func Suppressions(cfg Config) []Suppression {
	out := []Suppression{
		{
			Path: "LoadDataRole", Rule: "AwsSolutions-IAM5",
			Findings: []string{"Resource::<Data.Arn>/" + layout.PrefixRawRoot + "*"},
			Reason:   "The ingest writes one object per snapshot under " + layout.PrefixRawRoot + "<system>/, keyed by system, date and time, so only the prefix can be named; it has s3:PutObject there and no other S3 permission.",
		},
		{
			Path: "LoadDataRole", Rule: "AwsSolutions-IAM5",
			Findings: []string{"Resource::*"},
			Reason:   "X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords have no resource-level permissions.",
		},
		{
			Path: "StateMachineRole", Rule: "AwsSolutions-IAM5",
			Findings: []string{"Resource::*"},
			Reason:   "CloudWatch Logs delivery (logs:CreateLogDelivery and its companions) and X-Ray tracing have no resource-level permissions.",
		},
		{
			Path: "StateMachineRole", Rule: "AwsSolutions-IAM5",
			Findings: []string{"Resource::<LoadData.Arn>:*"},
			Reason:   "The Lambda invoke integration is granted the ingest function and its versions and aliases; no other function.",
		},
		{
			Path: "Failures/Rule/EventsRole", Rule: "AwsSolutions-IAM5",
			Findings: []string{"Action::kms:GenerateDataKey*"},
			Reason:   "Publishing to the encrypted failure topic needs a data key; CDK's SNS target grant names the action in its wildcard form, on the pipeline key only.",
		},
		{
			Path: "Arrivals/Role", Rule: "AwsSolutions-IAM5", Optional: true,
			Findings: []string{"Resource::*"},
			Reason:   "The arrivals window's CloudWatch Logs delivery (logs:CreateLogDelivery and its companions) and X-Ray tracing have no resource-level permissions.",
		},
		// AwsSolutions-SQS3 knows it for a dead-letter queue: the arrivals
		// queue names it in its redrive policy.
		{Path: "Arrivals/DeadLetters", Rule: "Serverless-SQSRedrivePolicy", Optional: true,
			Reason: isADeadLetterQueue("the arrivals rule's target and the arrivals queue")},
		{Path: "LoadData", Rule: "Serverless-LambdaDLQ", Reason: reasonSynchronousOnly},
	}
	for _, q := range deadLetterQueues {
		out = append(out,
			Suppression{Path: q.path, Rule: "AwsSolutions-SQS3", Reason: isADeadLetterQueue(q.of), Optional: q.optional},
			Suppression{Path: q.path, Rule: "Serverless-SQSRedrivePolicy", Reason: isADeadLetterQueue(q.of), Optional: q.optional},
		)
	}
	for _, j := range []struct {
		role, flag    string
		reads, writes []string
	}{
		{"RawToSilver/Role", layout.FlagRawToSilver, []string{layout.PrefixRawRoot, cfg.EventRuns.Prefix}, []string{layout.TablePrefix(layout.TableSilver), layout.TablePrefix(layout.TableRejects)}},
		{"AvgStats/Role", layout.FlagAvgStats, []string{layout.TablePrefix(layout.TableSilver)}, []string{layout.TablePrefix(layout.TableAvgStats)}},
		{"AvailPercent/Role", layout.FlagAvailPercent, []string{layout.TablePrefix(layout.TableSilver)}, []string{layout.TablePrefix(layout.TableAvailPercent)}},
		{"Maintenance/Role", layout.FlagMaintenance, nil, tablePrefixes()},
	} {
		var findings []string
		prefixes := append(append(slices.Clone(j.reads), j.writes...), layout.PrefixTmp+j.flag+"/", layout.PrefixLogs+"spark-ui/"+j.flag+"/")
		for _, prefix := range prefixes {
			findings = append(findings, "Resource::<Data.Arn>/"+prefix+"*")
		}
		does := "it reads " + strings.Join(j.reads, " and ") + ", commits table files under " + strings.Join(j.writes, " and ")
		if j.reads == nil {
			does = "it expires snapshots and removes unreferenced files under " + strings.Join(j.writes, ", ")
		}
		out = append(out,
			Suppression{
				Path: j.role, Rule: "AwsSolutions-IAM5", Findings: findings,
				Reason: "Spark and Iceberg name the objects they write, so the job can only be given prefixes (the keys under each, besides the folder's own key and its _$folder$ marker): " + does + ", and uses its own temporary and Spark UI prefixes.",
			},
			Suppression{
				Path: j.role, Rule: "AwsSolutions-IAM5",
				Findings: []string{"Resource::*"},
				Reason:   "cloudwatch:PutMetricData has no resource-level permissions; a condition limits it to the Glue namespace.",
			},
		)
	}
	return out
}

// arnPlaceholder matches "<Name.Arn>" in a finding.
var arnPlaceholder = regexp.MustCompile(`<([A-Za-z]+)\.Arn>`)

// FindingPattern is a regular expression (valid in Go and JavaScript) that
// matches finding as cdk-nag reports it: the text as written, with each
// "<Name.Arn>" standing for that resource's ARN, whose logical id carries a
// hash.
func FindingPattern(finding string) string {
	parts := arnPlaceholder.Split(finding, -1)
	names := arnPlaceholder.FindAllStringSubmatch(finding, -1)
	var re strings.Builder
	re.WriteString("^")
	for i, part := range parts {
		re.WriteString(regexp.QuoteMeta(part))
		if i < len(names) {
			fmt.Fprintf(&re, `<%s[0-9A-F]{8}\.Arn>`, names[i][1])
		}
	}
	re.WriteString("$")
	return re.String()
}

// appliesTo turns a finding into cdk-nag's form: the text itself, or a
// pattern when it names a resource's ARN.
func appliesTo(finding string) any {
	if !arnPlaceholder.MatchString(finding) {
		return finding
	}
	return &cdknag.RegexAppliesTo{Regex: jsii.String("/" + FindingPattern(finding) + "/")}
}

// suppress attaches Suppressions to the stack's constructs by path, with
// cdk-nag's own API, which fails the synth when a path matches nothing: an
// optional one is left out when its construct is absent.
//
// One call per path, with every suppression of that path in the order
// given: each call walks the whole construct tree, which cost 0.3 s of a
// synth when it was made once per suppression.
func suppress(stack awscdk.Stack, cfg Config) {
	var paths []string
	byPath := map[string][]*cdknag.NagPackSuppression{}
	for _, s := range Suppressions(cfg) {
		if s.Optional && constructAt(stack, s.Path) == nil {
			continue
		}
		suppression := &cdknag.NagPackSuppression{Id: jsii.String(s.Rule), Reason: jsii.String(s.Reason)}
		if len(s.Findings) > 0 {
			applies := make([]any, len(s.Findings))
			for i, f := range s.Findings {
				applies[i] = appliesTo(f)
			}
			suppression.AppliesTo = &applies
		}
		if _, ok := byPath[s.Path]; !ok {
			paths = append(paths, s.Path)
		}
		byPath[s.Path] = append(byPath[s.Path], suppression)
	}
	for _, path := range paths {
		suppressions := byPath[path]
		cdknag.NagSuppressions_AddResourceSuppressionsByPath(stack, jsii.String("/"+*stack.Node().Path()+"/"+path),
			&suppressions, jsii.Bool(true))
	}
}

// tablePrefixes are the prefixes of every table.
func tablePrefixes() []string {
	var out []string
	for _, t := range layout.Tables {
		out = append(out, layout.TablePrefix(t))
	}
	return out
}
