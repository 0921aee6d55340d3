// Package testassembly gives tests the assembly that make local runs
// (.tools/local.out: the stack with two systems), synthesized by make and
// shared, instead of a synth inside each test binary.
//
// A test package that reads the assembly this way does not import the
// stacks, nor the CDK: its binary is smaller, and go test keys its result
// on the assembly's files rather than on the Go code that makes them. make
// rewrites only the files whose content changed (cmd/mirror), so an edit to
// a stack or a construct that leaves the assembly as it was does not rerun
// those tests.
package testassembly

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/partialruns/velib-pipeline/internal/modroot"
	"github.com/partialruns/velib-pipeline/internal/testinputs"
)

// Env names the variable through which make test gives the tests the
// assembly it has just brought up to date. Whoever sets it vouches for
// that: the tests do not check it.
const Env = "LOCAL_TEST_ASSEMBLY"

// Copy copies the shared assembly into dir, which the test may then change.
// Under make test it is the folder Env names. Without Env (go test run by
// hand), Copy brings the assembly up to date with make itself and declares
// every file its synth reads as the test's input (testinputs), so that go
// test reruns the test after an edit to any of them.
func Copy(t testing.TB, dir string) {
	t.Helper()
	src := os.Getenv(Env)
	if src == "" {
		unlock, err := lock()
		if err != nil {
			t.Fatalf("testassembly: %v", err)
		}
		defer unlock()
		if src, err = refresh(t); err != nil {
			t.Fatalf("testassembly: %v", err)
		}
	}
	if err := copyTree(src, dir); err != nil {
		t.Fatalf("testassembly: %v (%s names it; make local-assembly synthesizes it)", err, Env)
	}
}

// lock waits for the other test binaries that bring the assembly up to
// date (go test runs several packages at once), so that none mirrors a
// new synth over it while another copies it.
func lock() (unlock func(), err error) {
	root, err := modroot.Find()
	if err != nil {
		return nil, err
	}
	// Not os.MkdirAll, which stats .tools: go test would key the result on
	// the folder's time, which changes with every run.
	if err := os.Mkdir(filepath.Join(root, ".tools"), 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(root, ".tools", "local.out.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() { f.Close() }, nil
}

// refresh runs make local-assembly, declares the synth's inputs (make
// app-sources) and returns the assembly's folder: the last line make
// local-assembly prints.
func refresh(t testing.TB) (string, error) {
	root, err := modroot.Find()
	if err != nil {
		return "", err
	}
	dir, err := makeOut(root, "local-assembly")
	if err != nil {
		return "", err
	}
	sources, err := makeOut(root, "app-sources")
	if err != nil {
		return "", err
	}
	files := strings.Fields(sources)
	testinputs.Declare(t, files...)
	// A file added since the test last ran is in no list it read: the
	// listings of the sources' folders stand for it. (They also change
	// when Python writes bytecode there, which reruns the test for
	// nothing, but only when it is run by hand.)
	seen := map[string]bool{}
	for _, f := range files {
		dir := filepath.Join(root, filepath.Dir(f))
		if seen[dir] {
			continue
		}
		seen[dir] = true
		d, err := os.Open(dir)
		if err != nil {
			return "", err
		}
		_, err = d.Readdirnames(-1)
		d.Close()
		if err != nil {
			return "", err
		}
	}
	lines := strings.Split(strings.TrimSpace(dir), "\n")
	return lines[len(lines)-1], nil
}

// makeOut runs make's target in root and returns what it printed.
func makeOut(root, target string) (string, error) {
	cmd := exec.Command("make", "--no-print-directory", "-s", target)
	cmd.Dir = root
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("make %s: %v\n%s%s", target, err, out.String(), stderr.String())
	}
	return out.String(), nil
}

// copyTree copies the folder from into to, reading every file in the
// test's process, so that go test keys the result on them.
func copyTree(from, to string) error {
	return filepath.WalkDir(from, func(src string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, src)
		if err != nil {
			return err
		}
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		data, err := os.ReadFile(src)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, info.Mode().Perm())
	})
}
