package local

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// LockFile is the file under a local run's state folder that the run holds
// an exclusive lock on while it lasts.
const LockFile = "lock"

// BusyError says that another local run holds the state folder Dir.
type BusyError struct {
	Dir string
	// PID is the holder's process id, as it wrote it, or 0 if unknown.
	PID int
}

func (e *BusyError) Error() string {
	holder := "another local run"
	if e.PID > 0 {
		holder = fmt.Sprintf("another local run (process %d)", e.PID)
	}
	return fmt.Sprintf("%s is using the state folder %s; wait for it to end, or give this run a folder of its own: make local LOCAL_DIR=%s-2",
		holder, e.Dir, filepath.Clean(e.Dir))
}

// lock takes the run's exclusive lock on dir, creating dir if need be, or
// returns a *BusyError at once if another process holds it. The lock is
// flock(2)'s: the system releases it when every process holding the
// returned file has ended, however it ended, so a killed run never leaves a
// stale lock behind. Closing the file releases it.
func lock(dir string) (*os.File, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("the state folder (LOCAL_DIR) %q cannot be created: %w", dir, err)
	}
	f, err := os.OpenFile(filepath.Join(dir, LockFile), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("the state folder (LOCAL_DIR) %q cannot be used: %w", dir, err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		defer f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			b, _ := os.ReadFile(f.Name())
			pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
			return nil, &BusyError{Dir: dir, PID: pid}
		}
		return nil, fmt.Errorf("locking %s: %w", f.Name(), err)
	}
	// The holder's pid is for the message another run prints; the lock
	// itself is what counts.
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return f, nil
}
