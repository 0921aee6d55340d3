// This file reads state machine definitions out of CloudFormation templates.

package render

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// Placeholders stand in for CloudFormation's pseudo parameters.
var pseudo = map[string]string{
	"AWS::Partition": "aws",
	"AWS::Region":    "us-east-1",
	"AWS::AccountId": "123456789012",
	"AWS::URLSuffix": "amazonaws.com",
	"AWS::StackName": "stack",
}

// Flatten resolves a DefinitionString: either a plain string or an
// {"Fn::Join": ["", [parts...]]} whose parts Resolve understands. Pseudo
// parameters become fixed placeholders (partition "aws", region
// "us-east-1", account "123456789012"). The result is checked to be valid
// JSON.
func Flatten(definition any) (string, error) {
	var out string
	switch d := definition.(type) {
	case string:
		out = d
	case map[string]any:
		join, ok := d["Fn::Join"].([]any)
		if !ok || len(join) != 2 {
			return "", fmt.Errorf("render: definition is neither a string nor an Fn::Join: %v", d)
		}
		sep, _ := join[0].(string)
		parts, ok := join[1].([]any)
		if !ok {
			return "", fmt.Errorf("render: Fn::Join parts are not a list: %v", join[1])
		}
		var b strings.Builder
		for i, part := range parts {
			if i > 0 {
				b.WriteString(sep)
			}
			s, err := Resolve(part)
			if err != nil {
				return "", err
			}
			b.WriteString(s)
		}
		out = b.String()
	default:
		return "", fmt.Errorf("render: unexpected definition type %T", definition)
	}
	if !json.Valid([]byte(out)) {
		return "", fmt.Errorf("render: flattened definition is not valid JSON")
	}
	return out, nil
}

// Resolve evaluates the intrinsic functions CDK writes into strings: a plain
// string; {"Ref": …} (a pseudo parameter becomes its placeholder, a resource
// its logical id); {"Fn::GetAtt": [id, attribute]} ("Arn" becomes a
// placeholder ARN ending in the logical id, anything else "id.attribute");
// {"Fn::Join": [separator, parts]}; and {"Fn::Sub": text} with ${…}
// references to pseudo parameters or resources.
func Resolve(part any) (string, error) {
	switch p := part.(type) {
	case string:
		return p, nil
	case map[string]any:
		if ref, ok := p["Ref"].(string); ok {
			if v, ok := pseudo[ref]; ok {
				return v, nil
			}
			return ref, nil
		}
		if att, ok := p["Fn::GetAtt"].([]any); ok && len(att) == 2 {
			id, _ := att[0].(string)
			name, _ := att[1].(string)
			if name == "Arn" {
				return "arn:aws:placeholder:us-east-1:123456789012:" + id, nil
			}
			return id + "." + name, nil
		}
		if join, ok := p["Fn::Join"].([]any); ok && len(join) == 2 {
			sep, _ := join[0].(string)
			parts, _ := join[1].([]any)
			out := make([]string, len(parts))
			for i, x := range parts {
				s, err := Resolve(x)
				if err != nil {
					return "", err
				}
				out[i] = s
			}
			return strings.Join(out, sep), nil
		}
		if sub, ok := p["Fn::Sub"].(string); ok {
			return subVar.ReplaceAllStringFunc(sub, func(m string) string {
				name := m[2 : len(m)-1]
				if v, ok := pseudo[name]; ok {
					return v
				}
				return name
			}), nil
		}
	}
	return "", fmt.Errorf("render: cannot resolve %v: only strings, Ref, Fn::GetAtt, Fn::Join and Fn::Sub are supported", part)
}

var subVar = regexp.MustCompile(`\$\{([^}]+)\}`)

// FromTemplate finds the one state machine in a decoded CloudFormation
// template and returns its flattened definition.
func FromTemplate(template map[string]any) (string, error) {
	machines, err := AllFromTemplate(template)
	if err != nil {
		return "", err
	}
	if len(machines) != 1 {
		return "", fmt.Errorf("the template holds %d state machines; expected exactly one", len(machines))
	}
	for _, def := range machines {
		return def, nil
	}
	panic("unreachable")
}

// AllFromTemplate returns the flattened definition of every state machine
// in a decoded CloudFormation template, by logical id.
func AllFromTemplate(template map[string]any) (map[string]string, error) {
	resources, _ := template["Resources"].(map[string]any)
	out := map[string]string{}
	for id, r := range resources {
		res, _ := r.(map[string]any)
		if res["Type"] != "AWS::StepFunctions::StateMachine" {
			continue
		}
		props, _ := res["Properties"].(map[string]any)
		def, err := Flatten(props["DefinitionString"])
		if err != nil {
			return nil, fmt.Errorf("state machine %s: %w", id, err)
		}
		out[id] = def
	}
	return out, nil
}
