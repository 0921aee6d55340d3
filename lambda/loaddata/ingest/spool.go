package ingest

import (
	"io"
	"os"
)

// spool is a temporary file that holds a document or the snapshot while
// the ingest runs, so that neither has to fit in the function's memory.
// The function's /tmp holds 512 MB, far more than the two documents (64
// MiB at most each) and their compressed snapshot.
type spool struct{ f *os.File }

func newSpool(dir, pattern string) (*spool, error) {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return nil, err
	}
	return &spool{f: f}, nil
}

// reset empties the spool, for another attempt at a download.
func (s *spool) reset() error {
	if err := s.f.Truncate(0); err != nil {
		return err
	}
	_, err := s.f.Seek(0, io.SeekStart)
	return err
}

// rewind positions the spool at its start, for reading back what was
// written, and returns its size.
func (s *spool) rewind() (int64, error) {
	size, err := s.f.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0, err
	}
	_, err = s.f.Seek(0, io.SeekStart)
	return size, err
}

// remove deletes the file; the ingest calls it however it ended.
func (s *spool) remove() {
	s.f.Close()
	os.Remove(s.f.Name())
}
