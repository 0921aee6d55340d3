package local

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// UndoOptions configure Undo.
type UndoOptions struct {
	// Dir is a local run's state folder (.local), whose tables are
	// restored; Assembly the synthesized stack whose maintenance job does
	// it, as make local ran it (.tools/local.out).
	Dir, Assembly, Stack string
	// Python and Runner start the Spark runner, as for Run.
	Python, Runner string
	// Execution is the run to undo, as make local printed it.
	Execution string
	// Force undoes it even if a later run committed to the same tables,
	// whose commits go too.
	Force bool
	// Out receives what was restored.
	Out io.Writer
}

// UndoError is the maintenance job's refusal, e.g. a later commit that
// would be lost without Force.
type UndoError struct{ Cause string }

func (e *UndoError) Error() string { return e.Cause }

// Undo restores every table a local run committed to to its snapshot
// before the run, with the stack's own maintenance job (glue_scripts'
// velib_maintenance.py, --action undo) on the local Spark: what partialrun
// undo starts on Glue for a deployed stack.
func Undo(opts UndoOptions) error {
	if err := checkExecution(opts.Execution); err != nil {
		return err
	}
	s, err := openTables(opts.Dir, opts.Python, opts.Runner)
	if err != nil {
		return err
	}
	defer s.Close()
	return s.Undo(opts)
}

func checkExecution(execution string) error {
	if strings.TrimSpace(execution) == "" {
		return errors.New("give the execution to undo, as make local printed it (execution arn:aws:states:local:…)")
	}
	return nil
}

// undo is Undo in session s.
func undo(s *Session, opts UndoOptions) error {
	if err := checkExecution(opts.Execution); err != nil {
		return err
	}
	asm, err := LoadAssembly(opts.Assembly, opts.Stack)
	if err != nil {
		return err
	}
	job, ok := asm.maintenanceJob()
	if !ok {
		return fmt.Errorf("%s has no maintenance job (a Glue job with an --action argument): synthesize this version first", opts.Assembly)
	}
	store := Store{Root: filepath.Join(opts.Dir, "s3")}
	script, pythonpath, argv, err := asm.jobCommand(store, job, map[string]string{
		"--action": "undo", "--execution_id": opts.Execution, "--force": strconv.FormatBool(opts.Force),
	})
	if err != nil {
		return err
	}
	spark, err := s.tables()
	if err != nil {
		return err
	}
	var reply struct {
		Tables map[string]struct {
			From       int64    `json:"from"`
			To         *int64   `json:"to"`
			AlsoUndone []string `json:"also_undone"`
		} `json:"tables"`
		Error string `json:"error"`
		Cause string `json:"cause"`
	}
	if err := spark.request(map[string]any{"script": script, "pythonpath": pythonpath, "argv": argv}, &reply); err != nil {
		return err
	}
	if reply.Error != "" {
		return &UndoError{Cause: reply.Cause}
	}
	names := make([]string, 0, len(reply.Tables))
	for name := range reply.Tables {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		t := reply.Tables[name]
		to := "empty (the run created it)"
		if t.To != nil {
			to = "snapshot " + strconv.FormatInt(*t.To, 10)
		}
		fmt.Fprintf(opts.Out, "%s: snapshot %d -> %s", name, t.From, to)
		if len(t.AlsoUndone) > 0 {
			fmt.Fprintf(opts.Out, " (also undone: %s)", strings.Join(t.AlsoUndone, ", "))
		}
		fmt.Fprintln(opts.Out)
	}
	return nil
}

// maintenanceJob is the stack's job that takes an --action.
func (a *Assembly) maintenanceJob() (Job, bool) {
	for _, j := range a.Jobs {
		if _, ok := j.Arguments["--action"]; ok {
			return j, true
		}
	}
	return Job{}, false
}
