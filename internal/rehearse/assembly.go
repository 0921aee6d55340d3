package rehearse

import (
	"path/filepath"
	"strings"

	"github.com/partialruns/velib-pipeline/internal/assembly"
)

// functionErrors returns the error annotations that the cloud assembly at
// dir records on the stack's Lambda functions: what makes cdk deploy
// refuse it. The construct writes the text (golambda); the rehearsal only
// checks that the refusal shows it, so this package needs no CDK.
func functionErrors(dir, stack string) ([]string, error) {
	template, err := readJSON(filepath.Join(dir, stack+".template.json"))
	if err != nil {
		return nil, err
	}
	functions := map[string]bool{}
	for _, r := range template["Resources"].(map[string]any) {
		res, _ := r.(map[string]any)
		if res["Type"] != "AWS::Lambda::Function" {
			continue
		}
		meta, _ := res["Metadata"].(map[string]any)
		if path, ok := meta["aws:cdk:path"].(string); ok {
			functions["/"+strings.TrimSuffix(path, "/Resource")] = true
		}
	}
	all, err := assembly.Errors(dir, stack)
	if err != nil {
		return nil, err
	}
	var errs []string
	for _, m := range all {
		if functions[m.Path] {
			errs = append(errs, m.Text)
		}
	}
	return errs, nil
}
