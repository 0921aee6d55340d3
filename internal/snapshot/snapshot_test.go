package snapshot

import (
	"os"
	"strings"
	"testing"
)

func TestMaskAssetHashes(t *testing.T) {
	hash := strings.Repeat("0123456789abcdef", 4)
	tests := []struct{ in, want string }{
		{hash + ".zip", "<asset-hash>.zip"},
		{"asset." + hash + ".py", "asset.<asset-hash>.py"},
		{strings.ToUpper(hash), strings.ToUpper(hash)}, // CDK hashes are lower case
		{hash[:63], hash[:63]},                         // too short to be a hash
		{"no hash here", "no hash here"},
	}
	for _, tc := range tests {
		if got := MaskAssetHashes(tc.in); got != tc.want {
			t.Errorf("MaskAssetHashes(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestFirstDifference(t *testing.T) {
	got := firstDifference("a\nb\nc", "a\nx\nc")
	for _, want := range []string{"line 2", "golden: b", "now:    x"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q does not contain %q", got, want)
		}
	}
}

func TestCheckSection(t *testing.T) {
	path := t.TempDir() + "/README.md"
	doc := "intro\n<!-- begin x -->\nold\n<!-- end x -->\noutro\n"
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	CheckSection(t, path, "x", "old\n") // matches: no failure

	t.Setenv(UpdateVar, "1")
	CheckSection(t, path, "x", "new\n")
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := "intro\n<!-- begin x -->\nnew\n<!-- end x -->\noutro\n"; string(got) != want {
		t.Errorf("rewritten file = %q, want %q", got, want)
	}
}

// TestJSONIgnoresTheOrderHashesGiveResources: CDK sorts an IAM statement's
// resources by their resolved text, asset hashes included, so a change of
// bundled code can swap two of them; the snapshot must not change with it.
func TestJSONIgnoresTheOrderHashesGiveResources(t *testing.T) {
	low, high := strings.Repeat("0", 64), strings.Repeat("f", 64)
	// As CDK sorts them: the zip first while its hash is the lower.
	statement := func(first, second string) any {
		return map[string]any{"Statement": []any{map[string]any{
			"Action":   "s3:GetObject",
			"Resource": []any{"arn:aws:s3:::b/" + first, "arn:aws:s3:::b/" + second},
		}}}
	}
	a, err := JSON(statement(low+".zip", high+".py"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := JSON(statement(low+".py", high+".zip"))
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Errorf("the snapshot follows the hashes' order:\n%s\n%s", a, b)
	}
}
