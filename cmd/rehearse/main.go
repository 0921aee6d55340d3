// Command rehearse deploys the stack to a local AWS emulator (MiniStack)
// through make bootstrap and make deploy, checks every resource, runs
// executions and rehearses the upgrade from the last release: make
// rehearse. A rehearsal that passed on the same working tree, with the same
// tools, is reported instead of run again, unless -fresh. See
// docs/rehearsal.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/partialruns/velib-pipeline/internal/modroot"
	"github.com/partialruns/velib-pipeline/internal/passcache"
	"github.com/partialruns/velib-pipeline/internal/rehearse"
)

func main() {
	venv := flag.String("venv", ".tools/ministack", "MiniStack's virtual environment")
	dir := flag.String("dir", ".tools/rehearsal", "folder for the rehearsal's assemblies, the emulator's data and the log (emptied first)")
	baselineFile := flag.String("baseline", "BASELINE", "file naming the last release's commit; empty: no upgrade")
	passed := flag.String("passed", ".tools/rehearse.passed", "file of the trees the rehearsal passed on; empty: none")
	fresh := flag.Bool("fresh", false, "rehearse even if it passed on this tree")
	flag.Parse()
	if err := cached(*venv, *dir, *baselineFile, *passed, *fresh); err != nil {
		fmt.Fprintln(os.Stderr, "rehearse:", err)
		os.Exit(1)
	}
}

// cached runs the rehearsal unless it passed on this tree with these
// tools (and not fresh), and records a pass.
func cached(venv, dir, baselineFile, passed string, fresh bool) error {
	root, err := modroot.Find()
	if err != nil {
		return err
	}
	if passed == "" {
		return run(venv, dir, baselineFile)
	}
	record := passcache.Record(filepath.Join(root, passed))
	key, err := treeKey(root, venv)
	if err != nil {
		return err
	}
	if summary, ok := record.Passed(key); ok && !fresh {
		fmt.Printf("rehearse: cached, nothing in the tree or the tools changed since its last pass (%s); FRESH=1 runs it\n", summary)
		return nil
	}
	if err := record.Remove(key); err != nil {
		return err
	}
	if err := run(venv, dir, baselineFile); err != nil {
		return err
	}
	// An edit made while it ran may not have been rehearsed.
	if after, err := treeKey(root, venv); err != nil || after != key {
		return err
	}
	return record.Add(key, "passed "+time.Now().UTC().Format("2006-01-02 15:04 UTC"))
}

// treeKey is the key of the working tree (less what it never reads) and
// of what the rehearsal runs that the tree does not hold: Go, and the install stamps of MiniStack's
// environment and of the CDK CLI's packages.
func treeKey(root, venv string) (string, error) {
	extra := []string{runtime.Version()}
	for _, stamp := range []string{filepath.Join(venv, ".installed"), filepath.Join(root, ".tools", "node_modules", ".installed")} {
		if !filepath.IsAbs(stamp) {
			stamp = filepath.Join(root, stamp)
		}
		info, err := os.Stat(stamp)
		if err != nil {
			return "", fmt.Errorf("%s: %w (make rehearse installs it)", stamp, err)
		}
		extra = append(extra, fmt.Sprintf("%s %d", stamp, info.ModTime().UnixNano()))
	}
	return passcache.Key(root, unread, extra...)
}

// unread reports the files of the tree that nothing the rehearsal runs
// reads: tests and their data, which no binary is built from and no asset
// stages, and prose. An edit to them alone needs no new rehearsal.
func unread(name string) bool {
	return strings.HasSuffix(name, "_test.go") || strings.HasSuffix(name, ".md") ||
		strings.HasPrefix(name, "glue_scripts/tests/") ||
		strings.HasPrefix(name, "testdata/") || strings.Contains(name, "/testdata/")
}

func run(venv, dir, baselineFile string) error {
	root, err := modroot.Find()
	if err != nil {
		return err
	}
	abs := func(p string) string {
		if filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(root, p)
	}
	if err := os.RemoveAll(abs(dir)); err != nil {
		return err
	}
	var baseline string
	if baselineFile != "" {
		if baseline, err = rehearse.ReadBaseline(abs(baselineFile)); err != nil {
			return err
		}
		if err := rehearse.HaveCommit(root, baseline); err != nil {
			return err
		}
	}
	return rehearse.Run(context.Background(), rehearse.Options{
		Root: root, Venv: abs(venv), Dir: abs(dir), Baseline: strings.TrimSpace(baseline), Out: os.Stdout,
	})
}
