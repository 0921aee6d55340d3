package validation_test

import (
	"testing"

	"github.com/partialruns/velib-pipeline/constructs/skippable/internal/synthtest"
)

func TestMain(m *testing.M) { synthtest.Main(m) }
