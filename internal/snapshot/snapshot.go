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
	if *update {
		updated := string(content[:i]) + got + string(content[j:])
		if err := os.WriteFile(path, []byte(updated), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want := string(content[i:j]); want != got {
		t.Fatalf("the %s section of %s is out of date:\n%s\nRefresh it with: go test ./... -update (or make snapshot), then review git diff", name, path, firstDifference(want, got))
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
