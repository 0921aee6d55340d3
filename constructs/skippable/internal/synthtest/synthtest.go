// Package synthtest holds what the module's own synth tests share.
package synthtest

import (
	"os"
	"testing"

	"github.com/aws/jsii-runtime-go"
)

// Main runs a test binary's tests and exits with their status. Linking the
// CDK is enough for jsii to unpack its runtime under TMPDIR; closing jsii
// at the end removes it.
func Main(m *testing.M) {
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}
