package golambda_test

import (
	"testing"

	"github.com/partialruns/velib-pipeline/internal/cdktest"
)

// TestMain closes jsii at the end (cdktest.Main): linking the CDK is enough
// for jsii to unpack its runtime under TMPDIR.
func TestMain(m *testing.M) { cdktest.Main(m) }
