package mirror

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// tree describes a folder: a path ending in / is a folder, "-> x" a link
// to x, "+x" an executable file, anything else a file with that content.
type tree map[string]string

func build(t *testing.T, dir string, tr tree) {
	t.Helper()
	for p, what := range tr {
		path := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		switch {
		case strings.HasSuffix(p, "/"):
			err = os.MkdirAll(path, 0o755)
		case strings.HasPrefix(what, "-> "):
			err = os.Symlink(strings.TrimPrefix(what, "-> "), path)
		case strings.HasPrefix(what, "+"):
			err = os.WriteFile(path, []byte(what[1:]), 0o755)
		default:
			err = os.WriteFile(path, []byte(what), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// read describes dir as build takes it.
func read(t *testing.T, dir string) tree {
	t.Helper()
	tr := tree{}
	err := filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || path == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		switch {
		case info.Mode()&os.ModeSymlink != 0:
			target, err := os.Readlink(path)
			tr[rel] = "-> " + target
			return err
		case info.IsDir():
			tr[rel+"/"] = ""
		default:
			data, err := os.ReadFile(path)
			if info.Mode().Perm()&0o100 != 0 {
				data = append([]byte("+"), data...)
			}
			tr[rel] = string(data)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestDir(t *testing.T) {
	long := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		from, to tree
		// kept are the files of to that must keep their time.
		kept []string
	}{
		{name: "into nothing", from: tree{"a": "1", "d/b": "2", "e/": "", "l": "-> a"}},
		{name: "unchanged files keep their time", from: tree{"a": "1", "d/b": "2"}, to: tree{"a": "1", "d/b": "2"}, kept: []string{"a", "d/b"}},
		{name: "same size, other content", from: tree{"a": "1", "b": "2"}, to: tree{"a": "9", "b": "2"}, kept: []string{"b"}},
		{name: "made executable", from: tree{"a": "+1"}, to: tree{"a": "1"}},
		{name: "what from lacks goes", from: tree{"a": "1"}, to: tree{"a": "1", "old": "x", "gone/deep/f": "y", ".mirror-123": "half"}, kept: []string{"a"}},
		{name: "a file where a folder was, and back", from: tree{"x": "file", "y/z": "deep"}, to: tree{"x/inner": "1", "y": "flat"}},
		{name: "a link that points elsewhere", from: tree{"l": "-> b", "m": "-> a"}, to: tree{"l": "-> a", "m": "-> a"}},
		{name: "a link where a file was", from: tree{"a": "-> b"}, to: tree{"a": "b"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			from, to := t.TempDir(), filepath.Join(t.TempDir(), "to")
			build(t, from, tc.from)
			if tc.to != nil {
				build(t, to, tc.to)
				for _, p := range tc.kept {
					if err := os.Chtimes(filepath.Join(to, p), long, long); err != nil {
						t.Fatal(err)
					}
				}
			}
			if err := Dir(from, to); err != nil {
				t.Fatal(err)
			}
			got, want := read(t, to), read(t, from)
			if len(got) != len(want) {
				t.Errorf("to holds %v, want %v", got, want)
			}
			for p, w := range want {
				if got[p] != w {
					t.Errorf("%s: %q, want %q", p, got[p], w)
				}
			}
			for p := range tc.from {
				if slices.Contains(tc.kept, p) {
					continue
				}
				src, err1 := os.Lstat(filepath.Join(from, p))
				dst, err2 := os.Lstat(filepath.Join(to, p))
				if err1 != nil || err2 != nil {
					t.Fatal(err1, err2)
				}
				if src.Mode().IsRegular() && !dst.ModTime().Equal(src.ModTime()) {
					t.Errorf("%s: copied with time %v, want the source's %v", p, dst.ModTime(), src.ModTime())
				}
			}
			for _, p := range tc.kept {
				info, err := os.Stat(filepath.Join(to, p))
				if err != nil {
					t.Fatal(err)
				}
				if !info.ModTime().Equal(long) {
					t.Errorf("%s was rewritten (time %v), though unchanged", p, info.ModTime())
				}
			}
		})
	}
}

func TestDirRefuses(t *testing.T) {
	file := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	withPipe := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(withPipe, "pipe"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, from, want string }{
		{"from is missing", filepath.Join(t.TempDir(), "none"), "no such file"},
		{"from is a file", file, "is not a folder"},
		{"from holds a named pipe", withPipe, "pipe is neither a file, a folder nor a link"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Dir(tc.from, t.TempDir())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Dir(%s): %v, want an error saying %q", tc.from, err, tc.want)
			}
		})
	}
}
