// Package testinputs puts the files that a test's child processes read into
// go test's cache key.
//
// go test reuses a package's last passing result while the test binary, the
// environment variables it read and the files inside the module that it
// opened are unchanged. It cannot see what a child process reads: a test
// that runs Python on glue_scripts/, or make on the Makefile, would stay
// "(cached)" after an edit there, and pass without running. Declare opens
// those files from the test process itself, so that go test sees them.
// (Files outside the module do not count, so Declare is no use for them.)
package testinputs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"

	"github.com/partialruns/velib-pipeline/internal/modroot"
)

// Declare opens every file that each pattern matches, or fails t. Patterns
// are relative to the module root unless absolute, and only their last
// element may hold filepath.Match's metacharacters ("glue_scripts/lib/*.py").
// A pattern that matches no file fails t: a moved file must not drop out of
// the key unnoticed. Call it from the test that starts the child: go test
// records what a test binary opens only while its tests run, not in
// TestMain.
func Declare(t testing.TB, patterns ...string) {
	t.Helper()
	if err := declare(patterns); err != nil {
		t.Fatalf("testinputs: %v", err)
	}
}

func declare(patterns []string) error {
	root, err := modroot.Find()
	if err != nil {
		return err
	}
	for _, p := range patterns {
		if !filepath.IsAbs(p) {
			p = filepath.Join(root, p)
		}
		files, err := match(p)
		if err != nil {
			return err
		}
		if len(files) == 0 {
			return fmt.Errorf("%s matches no file", p)
		}
		for _, f := range files {
			file, err := os.Open(f)
			if err != nil {
				return err
			}
			file.Close()
		}
	}
	return nil
}

// match is filepath.Glob for a pattern whose folder is literal, reading the
// folder without os.Open. go test would otherwise key the result on the
// whole listing, which changes whenever Python writes bytecode or pytest
// its cache next to the scripts, and the test would rerun for nothing. A
// file added there still counts once something that is declared uses it.
func match(pattern string) ([]string, error) {
	dir, base := filepath.Split(pattern)
	if _, err := filepath.Match(base, ""); err != nil {
		return nil, err
	}
	fd, err := syscall.Open(filepath.Clean(dir), syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: dir, Err: err}
	}
	folder := os.NewFile(uintptr(fd), dir)
	defer folder.Close()
	names, err := folder.Readdirnames(-1)
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	var files []string
	for _, name := range names {
		if ok, _ := filepath.Match(base, name); ok {
			files = append(files, filepath.Join(dir, name))
		}
	}
	return files, nil
}

// TempDir returns a new folder under the module's .tools/ (which git
// ignores), removed when t ends: go test keys its cache only on files
// inside the module, so a test of that cache needs its files there.
func TempDir(t testing.TB) string {
	t.Helper()
	root, err := modroot.Find()
	if err != nil {
		t.Fatal(err)
	}
	// Not os.MkdirAll, which stats .tools: go test would key the result on
	// the folder's time, which changes with every run.
	parent := filepath.Join(root, ".tools")
	if err := os.Mkdir(parent, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp(parent, "testinputs-")
	if err != nil {
		t.Fatal(err)
	}
	// Not os.RemoveAll: it would open .tools itself, whose listing
	// changes with every run, and the calling test would never be cached.
	t.Cleanup(func() {
		var paths []string
		filepath.WalkDir(dir, func(path string, _ os.DirEntry, _ error) error {
			paths = append(paths, path)
			return nil
		})
		for _, p := range slices.Backward(paths) { // entries before their folder
			os.Remove(p)
		}
	})
	return dir
}
