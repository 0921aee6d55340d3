package passcache

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// kept is how many passes a record remembers: switching back to a tree
// that passed (another branch, an edit undone) needs no rerun.
const kept = 20

// Record is a file of passes, one "key summary" line each, oldest first.
type Record string

// Passed returns the summary recorded with key, if a pass was.
func (r Record) Passed(key string) (summary string, ok bool) {
	for _, p := range r.read() {
		if p[0] == key {
			return p[1], true
		}
	}
	return "", false
}

// Add records a pass of key with its summary (one line), keeping the
// newest passes.
func (r Record) Add(key, summary string) error {
	if strings.ContainsAny(key+summary, "\n") || strings.Contains(key, " ") || key == "" {
		return fmt.Errorf("passcache: a key is one word and a summary one line: %q %q", key, summary)
	}
	return r.write(append(r.without(key), [2]string{key, summary}))
}

// Remove forgets the pass of key: a check run again on that tree, which
// then fails, must not leave its earlier pass behind.
func (r Record) Remove(key string) error {
	if _, ok := r.Passed(key); !ok {
		return nil
	}
	return r.write(r.without(key))
}

func (r Record) without(key string) [][2]string {
	var passes [][2]string
	for _, p := range r.read() {
		if p[0] != key {
			passes = append(passes, p)
		}
	}
	return passes
}

// write replaces the record with passes, the newest kept of them, through
// a file renamed into place: a reader never sees half of it.
func (r Record) write(passes [][2]string) error {
	passes = passes[max(0, len(passes)-kept):]
	var b strings.Builder
	for _, p := range passes {
		b.WriteString(p[0] + " " + p[1] + "\n")
	}
	if err := os.MkdirAll(filepath.Dir(string(r)), 0o755); err != nil {
		return err
	}
	tmp := string(r) + ".new"
	if err := os.WriteFile(tmp, []byte(b.String()), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, string(r))
}

// read returns the recorded passes as key and summary; a missing or
// unreadable record holds none, so the check runs.
func (r Record) read() [][2]string {
	data, err := os.ReadFile(string(r))
	if err != nil {
		return nil
	}
	var passes [][2]string
	for _, line := range strings.Split(string(data), "\n") {
		if key, summary, ok := strings.Cut(line, " "); ok && key != "" {
			passes = append(passes, [2]string{key, summary})
		}
	}
	return passes
}
