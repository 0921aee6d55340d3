// Package roletable renders what each IAM role of a CloudFormation template
// may do, as a Markdown table: who may assume the role, and every statement
// of the policies attached to it. It reads the synthesized template, not the
// code that wrote it, so the table says what AWS will be told.
//
// Resources are named by their logical id less the hash CDK appends
// (<Data> for the bucket Data666C94C7), ARNs built from pseudo parameters
// lose their partition, region and account, and asset hashes are masked.
package roletable

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/partialruns/velib-pipeline/internal/cfntext"
)

// Markdown is the table of the roles in template (a decoded CloudFormation
// template), one row a role, sorted by name.
func Markdown(template map[string]any) (string, error) {
	resources, _ := template["Resources"].(map[string]any)
	rows := map[string][]string{} // role logical id → statements, rendered
	trust := map[string]string{}
	for id, raw := range resources {
		r, _ := raw.(map[string]any)
		props, _ := r["Properties"].(map[string]any)
		switch r["Type"] {
		case "AWS::IAM::Role":
			t, err := principals(props["AssumeRolePolicyDocument"])
			if err != nil {
				return "", fmt.Errorf("%s: %w", id, err)
			}
			trust[id] = t
			if managed, ok := props["ManagedPolicyArns"].([]any); ok {
				for _, arn := range managed {
					rows[id] = append(rows[id], managedPolicy(render(arn)))
				}
			}
			inline, _ := props["Policies"].([]any)
			for _, p := range inline {
				sts, err := statements(p.(map[string]any)["PolicyDocument"])
				if err != nil {
					return "", fmt.Errorf("%s: %w", id, err)
				}
				rows[id] = append(rows[id], sts...)
			}
		case "AWS::IAM::Policy":
			sts, err := statements(props["PolicyDocument"])
			if err != nil {
				return "", fmt.Errorf("%s: %w", id, err)
			}
			attached, _ := props["Roles"].([]any)
			for _, role := range attached {
				m, _ := role.(map[string]any)
				ref, ok := m["Ref"].(string)
				if !ok {
					return "", fmt.Errorf("%s: attached to a role outside the template: %v", id, role)
				}
				rows[ref] = append(rows[ref], sts...)
			}
		}
	}
	ids := make([]string, 0, len(trust))
	for id := range trust {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return cfntext.Name(ids[i]) < cfntext.Name(ids[j]) })

	var b strings.Builder
	b.WriteString("| role | assumed by | may |\n|---|---|---|\n")
	for _, id := range ids {
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", cfntext.Name(id), trust[id], strings.Join(rows[id], "<br>"))
	}
	return b.String(), nil
}

// awsManaged starts the ARN of a policy AWS manages.
const awsManaged = "arn:${AWS::Partition}:iam::aws:policy/"

// managedPolicy renders a managed policy attached to a role.
func managedPolicy(arn string) string {
	if name, ok := strings.CutPrefix(arn, awsManaged); ok {
		return "AWS managed policy " + code(name)
	}
	return "managed policy " + code(arn)
}

// principals renders who a trust policy lets assume the role, with the
// conditions they must meet.
func principals(doc any) (string, error) {
	sts, err := list(doc)
	if err != nil {
		return "", err
	}
	var out []string
	for _, st := range sts {
		if st["Effect"] != "Allow" {
			return "", fmt.Errorf("trust statement with effect %v", st["Effect"])
		}
		p, _ := st["Principal"].(map[string]any)
		var who []string
		for _, kind := range sortedKeys(p) {
			for _, v := range strs(p[kind]) {
				who = append(who, code(v))
			}
		}
		out = append(out, strings.Join(who, ", ")+conditions(st["Condition"]))
	}
	return strings.Join(out, "<br>"), nil
}

// statements renders each statement of a policy document as "actions on
// resources", with its conditions.
func statements(doc any) ([]string, error) {
	sts, err := list(doc)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, st := range sts {
		if _, ok := st["NotAction"]; ok {
			return nil, fmt.Errorf("NotAction is not rendered: %v", st)
		}
		if _, ok := st["NotResource"]; ok {
			return nil, fmt.Errorf("NotResource is not rendered: %v", st)
		}
		verb := ""
		if st["Effect"] == "Deny" {
			verb = "**deny** "
		}
		var actions, res []string
		for _, a := range strs(st["Action"]) {
			actions = append(actions, code(a))
		}
		// Sorted as rendered: CDK sorts by the full ARN, whose asset
		// hashes would reorder the table whenever a script changes.
		for _, r := range slices.Sorted(slices.Values(fold(strs(st["Resource"])))) {
			res = append(res, code(r))
		}
		out = append(out, verb+strings.Join(actions, ", ")+" on "+strings.Join(res, ", ")+conditions(st["Condition"]))
	}
	return out, nil
}

// conditions renders a Condition block as " if key operator values; …".
func conditions(c any) string {
	block, _ := c.(map[string]any)
	if len(block) == 0 {
		return ""
	}
	var parts []string
	for _, op := range sortedKeys(block) {
		keys, _ := block[op].(map[string]any)
		for _, key := range sortedKeys(keys) {
			var values []string
			for _, v := range fold(strs(keys[key])) {
				values = append(values, code(v))
			}
			parts = append(parts, fmt.Sprintf("%s %s %s", code(key), op, strings.Join(values, " or ")))
		}
	}
	return ", if " + strings.Join(parts, " and ")
}

// folded is what fold appends to a prefix whose three S3 keys it stands for.
const folded = "…"

// fold replaces each S3 prefix given as its three keys (the folder's own
// key p, the keys under it, p/*, and the marker Glue writes, p_$folder$)
// by p… at the place of its first key, keeping the order of the rest.
func fold(values []string) []string {
	has := map[string]bool{}
	for _, v := range values {
		has[v] = true
	}
	prefix := func(v string) (string, bool) {
		for _, suffix := range []string{"/*", "_$folder$", ""} {
			if p, ok := strings.CutSuffix(v, suffix); ok && has[p] && has[p+"/*"] && has[p+"_$folder$"] {
				return p, true
			}
		}
		return "", false
	}
	var out []string
	done := map[string]bool{}
	for _, v := range values {
		p, ok := prefix(v)
		switch {
		case !ok:
			out = append(out, v)
		case !done[p]:
			done[p] = true
			out = append(out, p+folded)
		}
	}
	return out
}

// list is the statements of a policy document.
func list(doc any) ([]map[string]any, error) {
	d, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("not a policy document: %v", doc)
	}
	var out []map[string]any
	for _, st := range cfntext.List(d["Statement"]) {
		m, ok := st.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("not a statement: %v", st)
		}
		out = append(out, m)
	}
	return out, nil
}

// assetHash matches the SHA-256 digests in asset object keys.
var assetHash = regexp.MustCompile(`[0-9a-f]{64}`)

// ownARN is the start of an ARN in the stack's partition and, if it has
// them, its region and account.
var ownARN = regexp.MustCompile(`^arn:\$\{AWS::Partition\}:([a-z0-9-]+):(\$\{AWS::Region\})?:(\$\{AWS::AccountId\})?:`)

// render turns a policy value (a string or an intrinsic function) into
// text, as cfntext does, with the stack's own ARN prefix as "service:" and
// asset hashes masked.
func render(v any) string {
	s := assetHash.ReplaceAllString(cfntext.String(v), "<asset>")
	return ownARN.ReplaceAllString(s, "$1:")
}

// strs is many for plain strings, rendered.
func strs(v any) []string {
	var out []string
	for _, e := range cfntext.List(v) {
		out = append(out, render(e))
	}
	return out
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// code sets s in Markdown code, safe inside a table cell.
func code(s string) string {
	return "`" + strings.ReplaceAll(s, "|", `\|`) + "`"
}
