// Command rehearse deploys the stack to a local AWS emulator (MiniStack)
// through make bootstrap and make deploy, checks every resource, runs
// executions and rehearses the upgrade from the last release: make
// rehearse. See docs/rehearsal.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/partialruns/velib-pipeline/internal/modroot"
	"github.com/partialruns/velib-pipeline/internal/rehearse"
)

func main() {
	venv := flag.String("venv", ".tools/ministack", "MiniStack's virtual environment")
	dir := flag.String("dir", ".tools/rehearsal", "folder for the rehearsal's assemblies, the emulator's data and the log (emptied first)")
	baselineFile := flag.String("baseline", "BASELINE", "file naming the last release's commit; empty: no upgrade")
	flag.Parse()
	if err := run(*venv, *dir, *baselineFile); err != nil {
		fmt.Fprintln(os.Stderr, "rehearse:", err)
		os.Exit(1)
	}
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
