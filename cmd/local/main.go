// Command local runs the whole pipeline on this machine: the state machine
// synthesized into cdk.out, executed locally, drives the real ingest code
// and Glue job scripts on local data under .local/. No AWS account, no
// network. Run it with make local (after make synth), and query the tables
// it wrote with make sql:
//
//	make local FLAGS='{"lambda_load_data": false}'
//	make sql Q="SELECT system, count(*) FROM velib_data_silver GROUP BY system"
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
	// make local passes FLAGS as LOCAL_FLAGS, and FLAGS_FILE, in the
	// environment, so that no shell ever parses them.
	input := flag.String("input", os.Getenv("LOCAL_FLAGS"), "execution input, as JSON (default $LOCAL_FLAGS, else {})")
	inputFile := flag.String("input-file", os.Getenv("FLAGS_FILE"), "file holding the execution input (default $FLAGS_FILE)")
	// make passes LOCAL_DIR in the environment, like FLAGS_FILE.
	dir := flag.String("dir", envOr("LOCAL_DIR", ".local"), "folder for the local buckets and catalog (default $LOCAL_DIR, else .local)")
	assembly := flag.String("assembly", "cdk.out", "cloud assembly written by cdk synth")
	// make sql passes Q as LOCAL_SQL in the environment, like FLAGS.
	sql := flag.String("sql", os.Getenv("LOCAL_SQL"), "instead of a run, query the tables of -dir with this SQL statement (default $LOCAL_SQL)")
	sqlFile := flag.String("sql-file", "", "like -sql, the statement read from this file")
	flag.Parse()
	var err error
	if *sql != "" || *sqlFile != "" {
		err = query(*sql, *sqlFile, *dir)
	} else {
		err = run(*input, *inputFile, *dir, *assembly)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "local: %v\n", err)
		os.Exit(1)
	}
}

// query runs the statement sql, or the one in sqlFile, on the tables of
// the state folder dir.
func query(sql, sqlFile, dir string) error {
	if sql != "" && sqlFile != "" {
		return fmt.Errorf("give the query as text or as a file, not both")
	}
	if sqlFile != "" {
		text, err := os.ReadFile(sqlFile)
		if err != nil {
			return err
		}
		sql = string(text)
	}
	python, runner, err := sparkRunner()
	if err != nil {
		return err
	}
	return local.Query(local.QueryOptions{Dir: dir, Python: python, Runner: runner, SQL: sql, Out: os.Stdout})
}

// sparkRunner is the project's Python and the local Spark runner.
func sparkRunner() (python, runner string, err error) {
	root, err := modroot.Find()
	if err != nil {
		return "", "", err
	}
	if python, err = tools.VenvBin("python"); err != nil {
		return "", "", err
	}
	return python, filepath.Join(root, "glue_scripts", "local_runner.py"), nil
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
	python, runner, err := sparkRunner()
	if err != nil {
		return err
	}
	rep, err := local.Run(context.Background(), local.Options{
		Assembly: assembly,
		Stack:    layout.StackID,
		Dir:      dir,
		Input:    raw,
		Python:   python,
		Runner:   runner,
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

// envOr is the environment variable name, or otherwise when it is unset or
// empty.
func envOr(name, otherwise string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return otherwise
}
