package local

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// Session is a state folder held open for several runs, queries and
// undos: its lock is taken once, and the first of them that needs Spark
// starts one runner that the others reuse. Run, Query and Undo each open a
// session for one request and close it, so make local starts a fresh Spark
// as a Glue job run does. A session saves a Spark start and its cold JIT,
// seconds each, per request after the first (the end-to-end test makes
// about a dozen); the jobs then share one SparkSession, as they do in
// pytest.
type Session struct {
	// dir is the state folder, absolute: Spark resolves a relative table
	// LOCATION against its warehouse folder, not the working directory.
	dir            string
	python, runner string
	// lock is the folder's lock, which the Spark runner inherits.
	lock *os.File

	mu     sync.Mutex // held while Spark starts, which takes seconds
	spark  *sparkRunner
	closed bool
}

// ErrClosed is a request to a session after its Close: the folder may be
// another's by then.
var ErrClosed = errors.New("the local session is closed: its state folder is no longer held")

// Open takes dir's lock (a *BusyError if another run holds it) for a
// session whose Glue jobs run on python and runner (the project's virtual
// environment and glue_scripts/local_runner.py). Close frees it.
func Open(dir, python, runner string) (*Session, error) {
	held, err := lock(dir)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		held.Close()
		return nil, err
	}
	return &Session{dir: abs, python: python, runner: runner, lock: held}, nil
}

// Close stops the Spark runner, once its job ends, and frees the lock.
func (s *Session) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.closed = true
	if s.spark != nil {
		s.spark.close()
		s.spark = nil
	}
	s.lock.Close()
}

// Run executes the synthesized state machine once, as the package's Run
// does; opts' Dir, Python and Runner must be empty or the session's.
func (s *Session) Run(ctx context.Context, opts Options) (*Report, error) {
	if err := s.owns(&opts.Dir, &opts.Python, &opts.Runner); err != nil {
		return nil, err
	}
	return run(ctx, s, opts)
}

// Query runs one SQL statement, as the package's Query does; opts' Dir,
// Python and Runner must be empty or the session's.
func (s *Session) Query(opts QueryOptions) error {
	if err := s.owns(&opts.Dir, &opts.Python, &opts.Runner); err != nil {
		return err
	}
	return query(s, opts)
}

// Undo restores the tables a run committed to, as the package's Undo
// does; opts' Dir, Python and Runner must be empty or the session's.
func (s *Session) Undo(opts UndoOptions) error {
	if err := s.owns(&opts.Dir, &opts.Python, &opts.Runner); err != nil {
		return err
	}
	return undo(s, opts)
}

// owns fills empty options with the session's and refuses others: a
// request for another folder would go to this folder's tables.
func (s *Session) owns(dir, python, runner *string) error {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return ErrClosed
	}
	if *dir != "" {
		abs, err := filepath.Abs(*dir)
		if err != nil {
			return err
		}
		if abs != s.dir && !sameFolder(abs, s.dir) {
			return fmt.Errorf("the session holds the state folder %s, not %s", s.dir, abs)
		}
	}
	if *python != "" && *python != s.python {
		return fmt.Errorf("the session runs its jobs with the Python %s, not %s", s.python, *python)
	}
	if *runner != "" && *runner != s.runner {
		return fmt.Errorf("the session runs its jobs with the runner %s, not %s", s.runner, *runner)
	}
	*dir, *python, *runner = s.dir, s.python, s.runner
	return nil
}

// sparkRunner returns the session's Spark runner, started on first use
// (starting, if not nil, is told where its log is) or started again if the
// last one died.
func (s *Session) sparkRunner(starting func(log string)) (*sparkRunner, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	if s.spark != nil && !s.spark.dead() {
		return s.spark, nil
	}
	if s.spark != nil {
		s.spark.close()
		s.spark = nil
	}
	state := filepath.Join(s.dir, "spark")
	if err := os.MkdirAll(state, 0o755); err != nil {
		return nil, err
	}
	log, err := openLog(s.dir)
	if err != nil {
		return nil, err
	}
	if starting != nil {
		starting(log.Name())
	}
	spark, err := startSpark(s.python, s.runner, state, log, s.lock)
	if err != nil {
		return nil, err
	}
	s.spark = spark
	return spark, nil
}

// sameFolder says whether a and b name one folder, through a link say.
func sameFolder(a, b string) bool {
	ia, errA := os.Stat(a)
	ib, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(ia, ib)
}
