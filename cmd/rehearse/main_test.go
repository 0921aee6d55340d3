package main

import "testing"

func TestUnread(t *testing.T) {
	for _, c := range []struct {
		name   string
		unread bool
	}{
		{"stacks/jobs.go", false},
		{"glue_scripts/velib_raw_to_silver.py", false},
		{"glue_scripts/lib/velib_transforms.py", false},
		{"Makefile", false},
		{"BASELINE", false},
		{"scripts/synth.sh", false},
		{"internal/rehearse/requirements.txt", false},
		{"internal/local/feed/station_status.json", false},
		{"stacks/jobs_test.go", true},
		{"stacks/testdata/template.json", true},
		{"testdata/x", true},
		{"glue_scripts/tests/test_jobs.py", true},
		{"docs/rehearsal.md", true},
		{"README.md", true},
	} {
		if got := unread(c.name); got != c.unread {
			t.Errorf("unread(%q) = %v, want %v", c.name, got, c.unread)
		}
	}
}
