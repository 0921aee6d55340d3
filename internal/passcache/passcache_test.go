package passcache

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// repo makes a git repository with a committed file, a committed script,
// a .gitignore and an ignored file.
func repo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range map[string]string{"a.go": "package a\n", "run.sh": "echo\n", ".gitignore": "out/\n", "out/cache": "x"} {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{{"init", "-q"}, {"add", "."}, {"-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "init"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	return dir
}

// skipNotes leaves out the Markdown files.
func skipNotes(name string) bool { return strings.HasSuffix(name, ".md") }

func TestKey(t *testing.T) {
	write := func(name, text string) func(string) error {
		return func(dir string) error { return os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644) }
	}
	for _, c := range []struct {
		name    string
		change  func(dir string) error
		extra   string
		changed bool
	}{
		{name: "nothing", change: func(string) error { return nil }},
		{name: "a file touched", change: func(dir string) error {
			later := time.Now().Add(time.Hour)
			return os.Chtimes(filepath.Join(dir, "a.go"), later, later)
		}},
		{name: "an ignored file written", change: write("out/cache", "y")},
		{name: "a file edited", change: write("a.go", "package b\n"), changed: true},
		{name: "a new file", change: write("b.go", "package a\n"), changed: true},
		{name: "a new empty file", change: write("empty", ""), changed: true},
		{name: "a file deleted", change: func(dir string) error { return os.Remove(filepath.Join(dir, "a.go")) }, changed: true},
		{name: "a file made executable", change: func(dir string) error { return os.Chmod(filepath.Join(dir, "run.sh"), 0o755) }, changed: true},
		{name: "a file turned into a link", change: func(dir string) error {
			path := filepath.Join(dir, "a.go")
			if err := os.Remove(path); err != nil {
				return err
			}
			return os.Symlink("run.sh", path)
		}, changed: true},
		{name: "a skipped file written", change: write("notes.md", "later")},
		{name: "another tool", change: func(string) error { return nil }, extra: "go1.99", changed: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := repo(t)
			before, err := Key(dir, skipNotes, "go1.25")
			if err != nil {
				t.Fatal(err)
			}
			if err := c.change(dir); err != nil {
				t.Fatal(err)
			}
			extra := "go1.25"
			if c.extra != "" {
				extra = c.extra
			}
			after, err := Key(dir, skipNotes, extra)
			if err != nil {
				t.Fatal(err)
			}
			if changed := after != before; changed != c.changed {
				t.Errorf("key changed: %v, want %v", changed, c.changed)
			}
		})
	}
}

func TestKeyOutsideARepository(t *testing.T) {
	if _, err := Key(t.TempDir(), nil); err == nil {
		t.Error("Key outside a git work tree: no error")
	}
}

func TestRecord(t *testing.T) {
	r := Record(filepath.Join(t.TempDir(), "sub", "passed"))
	if _, ok := r.Passed("k1"); ok {
		t.Fatal("an empty record has a pass")
	}
	for i := range kept + 5 {
		if err := r.Add(fmt.Sprintf("k%d", i), fmt.Sprintf("pass %d, 12 steps", i)); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		key  string
		want string
		ok   bool
	}{
		{key: "k0"}, {key: "k4"}, // the oldest are dropped
		{key: "k5", want: "pass 5, 12 steps", ok: true},
		{key: "k24", want: "pass 24, 12 steps", ok: true},
	} {
		if got, ok := r.Passed(c.key); ok != c.ok || got != c.want {
			t.Errorf("Passed(%s) = %q, %v; want %q, %v", c.key, got, ok, c.want, c.ok)
		}
	}
	if err := r.Remove("k24"); err != nil {
		t.Fatal(err)
	}
	if _, ok := r.Passed("k24"); ok {
		t.Error("a removed pass is still there")
	}
	if _, ok := r.Passed("k23"); !ok {
		t.Error("Remove took another pass with it")
	}
	for _, bad := range [][2]string{{"", "s"}, {"a b", "s"}, {"k", "two\nlines"}} {
		if err := r.Add(bad[0], bad[1]); err == nil {
			t.Errorf("Add(%q, %q): no error", bad[0], bad[1])
		}
	}
}
