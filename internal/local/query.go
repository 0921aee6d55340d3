package local

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
)

// QueryOptions configure Query.
type QueryOptions struct {
	// Dir is a local run's state folder (.local), whose catalog is read.
	Dir string
	// Python and Runner start the Spark runner, as for Run.
	Python, Runner string
	// SQL is one statement, e.g. SELECT system, count(*) FROM
	// velib_data_silver GROUP BY system.
	SQL string
	// Limit is the most rows printed. Default: 1000.
	Limit int
	// Out receives the result as a table.
	Out io.Writer
}

// QueryError is the engine's refusal of a query.
type QueryError struct{ Name, Cause string }

func (e *QueryError) Error() string { return "the query failed: " + e.Cause }

// Query runs one SQL statement on the tables of a local run's state folder
// and prints the result as a table: the same tables the Glue jobs wrote, in
// the same catalog, with the pipeline's database current. It holds the
// folder's lock, as a run does, so it never reads a catalog a run is
// writing.
func Query(opts QueryOptions) error {
	if err := checkSQL(opts.SQL); err != nil {
		return err
	}
	s, err := openTables(opts.Dir, opts.Python, opts.Runner)
	if err != nil {
		return err
	}
	defer s.Close()
	return s.Query(opts)
}

func checkSQL(sql string) error {
	if strings.TrimSpace(sql) == "" {
		return errors.New(`no query: give one, e.g. make sql Q="SELECT system, count(*) FROM velib_data_silver GROUP BY system"`)
	}
	return nil
}

// query is Query in session s.
func query(s *Session, opts QueryOptions) error {
	if err := checkSQL(opts.SQL); err != nil {
		return err
	}
	if opts.Limit <= 0 {
		opts.Limit = 1000
	}
	spark, err := s.tables()
	if err != nil {
		return err
	}
	var reply struct {
		Columns []string    `json:"columns"`
		Rows    [][]*string `json:"rows"`
		More    bool        `json:"more"`
		Error   string      `json:"error"`
		Cause   string      `json:"cause"`
	}
	if err := spark.request(map[string]any{"sql": opts.SQL, "limit": opts.Limit}, &reply); err != nil {
		return err
	}
	if reply.Error != "" {
		return &QueryError{Name: reply.Error, Cause: reply.Cause}
	}
	w := tabwriter.NewWriter(opts.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, strings.Join(reply.Columns, "\t"))
	for _, row := range reply.Rows {
		cells := make([]string, len(row))
		for i, v := range row {
			cells[i] = "NULL"
			if v != nil {
				cells[i] = *v
			}
		}
		fmt.Fprintln(w, strings.Join(cells, "\t"))
	}
	w.Flush()
	switch {
	case reply.More:
		fmt.Fprintf(opts.Out, "(the first %d rows; add a LIMIT or a WHERE for others)\n", opts.Limit)
	default:
		fmt.Fprintf(opts.Out, "(%d rows)\n", len(reply.Rows))
	}
	return nil
}

// openTables opens a session on the tables of a local run's state folder,
// for a request that is no run (a query, an undo). It holds the folder's
// lock, as a run does, so it never meets a run at work.
func openTables(dir, python, runner string) (*Session, error) {
	if err := hasTables(dir); err != nil {
		return nil, err
	}
	return Open(dir, python, runner)
}

func hasTables(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, "spark")); err != nil {
		return fmt.Errorf("no local tables in %s yet: run make local first (or give the LOCAL_DIR it used)", dir)
	}
	return nil
}

// tables is the session's Spark runner, for a request that reads or
// changes tables a run wrote.
func (s *Session) tables() (*sparkRunner, error) {
	if err := hasTables(s.dir); err != nil {
		return nil, err
	}
	return s.sparkRunner(nil)
}
