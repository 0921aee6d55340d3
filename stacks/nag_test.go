package stacks_test

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/internal/assembly"
	"github.com/partialruns/velib-pipeline/internal/layout"
	"github.com/partialruns/velib-pipeline/internal/snapshot"
	"github.com/partialruns/velib-pipeline/stacks"
)

// TestNag fails on any cdk-nag AwsSolutions finding that Suppressions does
// not cover, error or warning, for every configuration tested.
func TestNag(t *testing.T) {
	for _, ctx := range configurations {
		ann := assertions.Annotations_FromStack(synthStack(t, ctx))
		pattern := assertions.Match_StringLikeRegexp(jsii.String("(" + strings.Join(stacks.NagPacks, "|") + ")-.*"))
		for _, m := range append(*ann.FindError(jsii.String("*"), pattern), *ann.FindWarning(jsii.String("*"), pattern)...) {
			msg := fmt.Sprint(m.Entry.Data)
			t.Errorf("%v: %s at %s", ctx, msg[:strings.Index(msg, ":")], *m.Id)
		}
	}
}

// TestSecurityTable keeps docs/security.md's table of suppressions generated from
// stacks.Suppressions.
func TestSecurityTable(t *testing.T) {
	var b strings.Builder
	b.WriteString("| rule | construct | findings | reason |\n|---|---|---|---|\n")
	for _, s := range stacks.Suppressions(stacks.DefaultConfig) {
		fmt.Fprintf(&b, "| %s | `%s` | %s | %s |\n", s.Rule, s.Path, "`"+strings.Join(s.Findings, "`<br>`")+"`", s.Reason)
	}
	snapshot.CheckSection(t, "../docs/security.md", "nag suppressions", b.String())
}

// nagLog is what cdk-nag's reports of one synth say: the findings it
// suppressed and the logical ids of the resources it evaluated.
//
// It is read from the CSV reports each rule pack writes into the assembly,
// not gathered by a logger of our own: a Go logger is called back through
// jsii for each of the 7,000 or so rule evaluations, which made every synth
// take 9 s instead of 0.6 s.
type nagLog struct {
	suppressed []nagFinding
	evaluated  map[string]bool
}

// nagFinding is one suppressed finding of a cdk-nag report.
type nagFinding struct {
	rule, path, reason string
}

// readNagReports reads the reports of stackName's synthesis in outdir, one
// per rule pack of stacks.NagPacks, and maps their construct paths to
// logical ids with the assembly's metadata file.
func readNagReports(outdir, stackName string) (*nagLog, error) {
	ids, err := logicalIDs(filepath.Join(outdir, stackName+".metadata.json"))
	if err != nil {
		return nil, err
	}
	log := &nagLog{evaluated: map[string]bool{}}
	for _, pack := range stacks.NagPacks {
		// The report is named <pack>-<stage id>-<stack name>; the app's id is "".
		path := filepath.Join(outdir, pack+"--"+stackName+"-NagReport.csv")
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("cdk-nag's %s report: %w", pack, err)
		}
		// Rule ID, Resource ID, Compliance, Exception Reason, Rule Level,
		// Rule Info: the reader refuses a row of any other shape.
		r := csv.NewReader(f)
		r.FieldsPerRecord = 6
		rows, err := r.ReadAll()
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		for _, row := range rows[1:] { // after the header
			rule, resource, compliance, reason := row[0], row[1], row[2], row[3]
			switch compliance {
			case "Suppressed":
				log.suppressed = append(log.suppressed, nagFinding{rule, resource, reason})
			case "Compliant", "Non-Compliant":
			default:
				continue // a rule that failed to run did not evaluate the resource
			}
			id, ok := ids["/"+resource]
			if !ok {
				return nil, fmt.Errorf("%s: %s is in no metadata of the assembly", path, resource)
			}
			log.evaluated[id] = true
		}
	}
	return log, nil
}

// logicalIDs maps each resource's construct path to its logical id, as the
// assembly's metadata file records them for the CLI.
func logicalIDs(path string) (map[string]string, error) {
	metadata, err := assembly.ReadMetadata(path)
	if err != nil {
		return nil, err
	}
	ids := map[string]string{}
	for p, entries := range metadata {
		for _, e := range entries {
			if id, ok := e.Data.(string); ok && e.Type == "aws:cdk:logicalId" {
				ids[p] = id
			}
		}
	}
	return ids, nil
}

// findingOf is the finding a suppressed row reports under suppression s:
// cdk-nag gives a suppression of named findings as "[finding] reason" and
// one of a whole rule as its reason alone (finding "").
func (f nagFinding) findingOf(s stacks.Suppression) (finding string, ok bool) {
	if f.reason == s.Reason {
		return "", true
	}
	rest, ok := strings.CutPrefix(f.reason, "[")
	if !ok {
		return "", false
	}
	return strings.CutSuffix(rest, "] "+s.Reason)
}

// TestEverySuppressionIsUsed fails on a suppression, or a finding listed in
// one, that no longer matches anything: a stale suppression would silently
// cover a future finding.
func TestEverySuppressionIsUsed(t *testing.T) {
	// An optional suppression's construct exists only in some
	// configurations: the second adds them all.
	log := synthNag(t, nil)
	full := synthNag(t, configurations[1])
	log.suppressed = append(log.suppressed, full.suppressed...)

	for _, s := range stacks.Suppressions(stacks.DefaultConfig) {
		prefix := layout.StackID + "/" + s.Path + "/"
		findings := s.Findings
		if len(findings) == 0 {
			findings = []string{""} // a rule without detail: any finding of it
		}
		for _, finding := range findings {
			re := regexp.MustCompile(stacks.FindingPattern(finding))
			if finding == "" {
				re = regexp.MustCompile("")
			}
			used := false
			for _, e := range log.suppressed {
				got, ok := e.findingOf(s)
				if ok && e.rule == s.Rule && strings.HasPrefix(e.path, prefix) && re.MatchString(got) {
					used = true
					break
				}
			}
			if !used {
				t.Errorf("suppression %s on %s: finding %q matches nothing", s.Rule, s.Path, finding)
			}
		}
	}
}
