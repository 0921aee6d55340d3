package stacks_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/partialruns/velib-pipeline/internal/layout"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
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
	for _, s := range stacks.Suppressions() {
		fmt.Fprintf(&b, "| %s | `%s` | %s | %s |\n", s.Rule, s.Path, "`"+strings.Join(s.Findings, "`<br>`")+"`", s.Reason)
	}
	snapshot.CheckSection(t, "../docs/security.md", "nag suppressions", b.String())
}

// nagLog records the findings cdk-nag suppressed and the logical ids of
// the resources it evaluated. It implements cdknag.INagLogger.
type nagLog struct {
	suppressed []cdknag.NagLoggerSuppressedData
	evaluated  map[string]bool
}

func newNagLog() *nagLog { return &nagLog{evaluated: map[string]bool{}} }

func (l *nagLog) saw(r awscdk.CfnResource) {
	// The logical id is a token until resolved, an overridden one too.
	l.evaluated[awscdk.Stack_Of(r).Resolve(r.LogicalId()).(string)] = true
}

func (l *nagLog) OnSuppressed(d *cdknag.NagLoggerSuppressedData) {
	l.suppressed = append(l.suppressed, *d)
	l.saw(d.Resource)
}
func (l *nagLog) OnCompliance(d *cdknag.NagLoggerComplianceData)       { l.saw(d.Resource) }
func (l *nagLog) OnNonCompliance(d *cdknag.NagLoggerNonComplianceData) { l.saw(d.Resource) }
func (l *nagLog) OnSuppressedError(d *cdknag.NagLoggerSuppressedErrorData) {
	l.saw(d.Resource)
}
func (l *nagLog) OnError(*cdknag.NagLoggerErrorData)                 {}
func (l *nagLog) OnNotApplicable(*cdknag.NagLoggerNotApplicableData) {}

// TestEverySuppressionIsUsed fails on a suppression, or a finding listed in
// one, that no longer matches anything: a stale suppression would silently
// cover a future finding.
func TestEverySuppressionIsUsed(t *testing.T) {
	log := synthNag(t, nil)

	for _, s := range stacks.Suppressions() {
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
				if *e.RuleId == s.Rule && strings.HasPrefix(*e.Resource.Node().Path(), prefix) && re.MatchString(*e.FindingId) {
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
