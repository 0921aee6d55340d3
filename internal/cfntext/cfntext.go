// Package cfntext renders CloudFormation values of a decoded template, plain
// or built with intrinsic functions, as text a person can read and a test
// can compare: "<Data>/raw/*" for a Fn::Join of the bucket Data666C94C7's
// ARN and "/raw/*", "${AWS::Region}" for a reference to a pseudo parameter.
package cfntext

import (
	"fmt"
	"regexp"
	"strings"
)

// String renders v. A reference to a resource, by Ref or by Fn::GetAtt of
// its Arn, is <Name>, Name its logical id less CDK's hash; another
// attribute is <Name.Attribute>; a pseudo parameter is ${AWS::Name};
// Fn::Join is joined and Fn::Sub left as its template. Anything else is
// printed as Go prints it.
func String(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		if ref, ok := x["Ref"].(string); ok {
			if strings.HasPrefix(ref, "AWS::") {
				return "${" + ref + "}"
			}
			return "<" + Name(ref) + ">"
		}
		if att, ok := x["Fn::GetAtt"].([]any); ok && len(att) == 2 {
			if att[1] == "Arn" {
				return "<" + Name(fmt.Sprint(att[0])) + ">"
			}
			return fmt.Sprintf("<%s.%v>", Name(fmt.Sprint(att[0])), att[1])
		}
		if join, ok := x["Fn::Join"].([]any); ok && len(join) == 2 {
			var parts []string
			for _, p := range List(join[1]) {
				parts = append(parts, String(p))
			}
			return strings.Join(parts, fmt.Sprint(join[0]))
		}
		if sub, ok := x["Fn::Sub"].(string); ok {
			return sub
		}
	}
	return fmt.Sprint(v)
}

// List is v as a list: a policy element, among others, holds either one
// value or a list of them.
func List(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	if v == nil {
		return nil
	}
	return []any{v}
}

// logicalHash is the hash CDK appends to a logical id.
var logicalHash = regexp.MustCompile(`[0-9A-F]{8}$`)

// Name is a logical id less the hash CDK appends to it.
func Name(logicalID string) string {
	if n := logicalHash.ReplaceAllString(logicalID, ""); n != "" {
		return n
	}
	return logicalID
}
