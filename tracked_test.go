package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestNoBuildOutputIsTracked fails when git tracks a file over 2 MiB: a
// binary that go build left in the root (as ./partialrun once was), or
// data that belongs elsewhere.
func TestNoBuildOutputIsTracked(t *testing.T) {
	out, err := exec.Command("git", "ls-files", "-z").Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	for _, name := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		if info, err := os.Stat(name); err == nil && info.Size() > 2<<20 {
			t.Errorf("%s is tracked and %d bytes: build output or data that belongs elsewhere (.gitignore)", name, info.Size())
		}
	}
}
