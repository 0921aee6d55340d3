// Package snapshot compares generated text with a golden file in testdata/.
//
// Setting UPDATE_SNAPSHOTS=1 in the environment (`UPDATE_SNAPSHOTS=1 make
// test`, or `make snapshot`) rewrites the golden files instead of comparing.
// An environment variable rather than a test flag, because `go test ./...`
// refuses a flag that any package does not define.
package snapshot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// UpdateVar is the environment variable that makes Check rewrite golden files.
const UpdateVar = "UPDATE_SNAPSHOTS"

// updating reports whether golden files are to be rewritten.
func updating() bool { return os.Getenv(UpdateVar) == "1" }

// refresh is the advice printed when a golden file is out of date.
const refresh = "If the change is intended, refresh it with: UPDATE_SNAPSHOTS=1 make test (or make snapshot), then review git diff"

// assetHash matches the SHA-256 hex digests CDK uses for asset hashes and
// asset object keys.
var assetHash = regexp.MustCompile(`[0-9a-f]{64}`)

// MaskAssetHashes replaces every asset hash with a fixed marker: the hashes
// of bundled code change with the code, and reviewing a snapshot is about the
// template's shape.
func MaskAssetHashes(s string) string {
	return assetHash.ReplaceAllString(s, "<asset-hash>")
}

// JSON renders v as indented JSON with asset hashes masked, ready for Check.
// An IAM statement's resources are a set, which CDK lists sorted by their
// text, hashes included: they are listed sorted by their masked text
// instead, so a change of bundled code cannot reorder them.
func JSON(v any) (string, error) {
	v = sortResources(v)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return MaskAssetHashes(buf.String()), nil
}

// sortResources returns v (JSON-shaped) with every "Resource" list sorted
// by its elements' masked JSON text; v itself is left as it was.
func sortResources(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = sortResources(e)
			if list, ok := out[k].([]any); ok && k == "Resource" {
				slices.SortStableFunc(list, func(a, b any) int { return strings.Compare(masked(a), masked(b)) })
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = sortResources(e)
		}
		return out
	default:
		return v
	}
}

func masked(v any) string {
	b, _ := json.Marshal(v) // JSON-shaped values always marshal
	return MaskAssetHashes(string(b))
}

// Check compares got with the golden file at path, or rewrites the file when
// UPDATE_SNAPSHOTS=1.
func Check(t *testing.T, path, got string) {
	t.Helper()
	if updating() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v\nCreate it with: UPDATE_SNAPSHOTS=1 go test ./...", err)
	}
	if string(want) != got {
		t.Fatalf("%s is out of date:\n%s\n%s", path, firstDifference(string(want), got), refresh)
	}
}

// CheckSection is Check for the part of a file between the lines
// "<!-- begin NAME -->" and "<!-- end NAME -->", e.g. a generated diagram in
// a README: the rest of the file is left as it is.
func CheckSection(t *testing.T, path, name, got string) {
	t.Helper()
	content, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	begin, end := "<!-- begin "+name+" -->\n", "<!-- end "+name+" -->"
	i := strings.Index(string(content), begin)
	j := strings.Index(string(content), end)
	if i < 0 || j < i {
		t.Fatalf("%s has no section between %q and %q", path, strings.TrimSpace(begin), end)
	}
	i += len(begin)
	if updating() {
		updated := string(content[:i]) + got + string(content[j:])
		if err := os.WriteFile(path, []byte(updated), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want := string(content[i:j]); want != got {
		t.Fatalf("the %s section of %s is out of date:\n%s\n%s", name, path, firstDifference(want, got), refresh)
	}
}

// firstDifference shows the first line that differs, with a little context.
func firstDifference(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\n  golden: %s\n  now:    %s", i+1, wl, gl)
		}
	}
	return "(no line differs; line endings?)"
}
