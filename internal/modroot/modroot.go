// Package modroot finds the root of the Go module being built or tested,
// so that the app (run from the root) and its tests (run from their package
// folders) resolve project files the same way.
package modroot

import (
	"errors"
	"os"
	"path/filepath"
)

// Find returns the nearest folder at or above the working directory that
// holds a go.mod file.
func Find() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("modroot: no go.mod at or above the working directory")
		}
		dir = parent
	}
}
