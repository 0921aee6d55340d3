// Package snapshot compares generated text with a golden file in testdata/.
//
// Importing it registers the -update flag, so `go test ./... -update`
// rewrites every golden file. A test package with no golden file imports it
// for that flag alone, since `go test` fails on a flag a package does not
// define.
package snapshot

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/ instead of comparing")

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
func JSON(v any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return MaskAssetHashes(buf.String()), nil
}

// Check compares got with the golden file at path, or rewrites the file when
// the test runs with -update.
func Check(t *testing.T, path, got string) {
	t.Helper()
	if *update {
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
		t.Fatalf("%v\nCreate it with: go test ./... -update", err)
	}
	if string(want) != got {
		t.Fatalf("%s is out of date:\n%s\nIf the change is intended, refresh it with: go test ./... -update (then review git diff)", path, firstDifference(string(want), got))
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
