package tools

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInstalledNeedsTheStamp: a tool resolves only from an environment
// that make finished installing; a half-made one is reported as missing.
func TestInstalledNeedsTheStamp(t *testing.T) {
	root := t.TempDir()
	for _, f := range []string{"go.mod", ".tools/venv/.installed", ".tools/node_modules/.bin/node"} {
		path := filepath.Join(root, f)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(root)
	for _, c := range []struct {
		name    string
		resolve func() (string, error)
		want    string // the path, or the error's text
	}{
		{"venv installed", func() (string, error) { return VenvBin("python") }, ".tools/venv/bin/python"},
		{"node_modules without its stamp", func() (string, error) { return NodeBin("cdk") }, "node_modules is not installed (make test installs"},
		{"checkov missing", Checkov, "checkov is not installed"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.resolve()
			if err != nil {
				got = err.Error()
			}
			if !strings.Contains(got, c.want) {
				t.Errorf("got %q, want it to contain %q", got, c.want)
			}
		})
	}
}
