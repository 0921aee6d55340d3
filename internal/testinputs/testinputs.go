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
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/partialruns/velib-pipeline/internal/modroot"
)

// Declare opens every file that each pattern matches, or fails t. Patterns
// have filepath.Match's syntax and are relative to the module root unless
// absolute. A pattern that matches no file fails t: a moved file must not
// drop out of the key unnoticed. Call it from the test that starts the
// child: go test records what a test binary opens only while its tests run,
// not in TestMain.
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
		// Glob opens the pattern's folder, so a file added there counts
		// as a change too.
		files, err := filepath.Glob(p)
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
