// Command local runs the whole pipeline on this machine: the state machine
// synthesized into cdk.out, executed locally, drives the real ingest code
// and Glue job scripts on local data under .local/. No AWS account, no
// network. Run it with make local (after make synth):
//
//	make local FLAGS='{"lambda_load_data": false}'
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"github.com/partialruns/velib-pipeline/internal/layout"
	"os"
	"path/filepath"

	"github.com/partialruns/velib-pipeline/internal/local"
	"github.com/partialruns/velib-pipeline/internal/modroot"
	"github.com/partialruns/velib-pipeline/internal/tools"
)

func main() {
	input := flag.String("input", "", "execution input, as JSON (default {})")
	// make local passes FLAGS_FILE in the environment, so that no shell
	// ever parses the path.
	inputFile := flag.String("input-file", os.Getenv("FLAGS_FILE"), "file holding the execution input (default $FLAGS_FILE)")
	dir := flag.String("dir", ".local", "folder for the local buckets and catalog")
	assembly := flag.String("assembly", "cdk.out", "cloud assembly written by cdk synth")
	flag.Parse()
	if err := run(*input, *inputFile, *dir, *assembly); err != nil {
		fmt.Fprintf(os.Stderr, "local: %v\n", err)
		os.Exit(1)
	}
}

// maxInput is the largest execution input Step Functions accepts, in bytes.
const maxInput = 256 * 1024

func run(input, inputFile, dir, assembly string) error {
	if input != "" && inputFile != "" {
		return fmt.Errorf("give the input as JSON or as a file, not both")
	}
	raw := []byte(input)
	if inputFile != "" {
		var err error
		if raw, err = os.ReadFile(inputFile); err != nil {
			return err
		}
	}
	if len(raw) > maxInput {
		return fmt.Errorf("the input is %d bytes; Step Functions accepts at most %d (256 KiB)", len(raw), maxInput)
	}
	if len(raw) > 0 && !json.Valid(raw) {
		return fmt.Errorf("the input is not valid JSON: %s", raw)
	}
	root, err := modroot.Find()
	if err != nil {
		return err
	}
	python, err := tools.VenvBin("python")
	if err != nil {
		return err
	}
	rep, err := local.Run(context.Background(), local.Options{
		Assembly: assembly,
		Stack:    layout.StackID,
		Dir:      dir,
		Input:    raw,
		Python:   python,
		Runner:   filepath.Join(root, "glue_scripts", "local_runner.py"),
		Out:      os.Stdout,
	})
	if err != nil {
		return err
	}
	if rep.Status != "SUCCEEDED" {
		return fmt.Errorf("the execution ended %s", rep.Status)
	}
	return nil
}
