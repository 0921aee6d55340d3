package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/partialruns/velib-pipeline/internal/cdktest"
)

// TestMain closes jsii at the end (cdktest.Run): linking the CDK is enough
// for jsii to unpack its runtime under TMPDIR. It also removes the app that
// buildApp built (130 MB).
func TestMain(m *testing.M) {
	code := cdktest.Run(m)
	if appPath != "" {
		os.RemoveAll(filepath.Dir(appPath))
	}
	os.Exit(code)
}
