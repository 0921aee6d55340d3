package layout_test

import (
	"os"
	"regexp"
	"strconv"
	"testing"

	"github.com/partialruns/velib-pipeline/internal/layout"
)

// TestMaxRangeDaysIsTheJobs: the validation refuses exactly the ranges the
// Glue jobs would refuse.
func TestMaxRangeDaysIsTheJobs(t *testing.T) {
	src, err := os.ReadFile("../../glue_scripts/lib/velib_io.py")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^MAX_DAYS = (\d+)$`).FindSubmatch(src)
	if m == nil {
		t.Fatal("velib_io.py has no MAX_DAYS")
	}
	if n, _ := strconv.Atoi(string(m[1])); n != layout.MaxRangeDays {
		t.Errorf("the jobs take at most %d days, the validation %d", n, layout.MaxRangeDays)
	}
}

// TestSystemIDIsTheJobs: the synth accepts exactly the system ids the Glue
// jobs accept.
func TestSystemIDIsTheJobs(t *testing.T) {
	src, err := os.ReadFile("../../glue_scripts/lib/velib_io.py")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^SYSTEM_ID = re\.compile\(r"(.+)"\)$`).FindSubmatch(src)
	if m == nil {
		t.Fatal("velib_io.py has no SYSTEM_ID")
	}
	if got := "^" + string(m[1]) + "$"; got != layout.SystemIDPattern {
		t.Errorf("the jobs take ids %s, the synth %s", got, layout.SystemIDPattern)
	}
}

// TestPythonNamesAreTheStacks: the names the stack grants or passes are
// the ones the Glue scripts use.
func TestPythonNamesAreTheStacks(t *testing.T) {
	for _, c := range []struct{ file, pattern, want string }{
		{"lib/velib_upgrade.py", `(?m)^PENDING_SUFFIX = "(.+)"$`, layout.PendingUpgradeSuffix},
		{"local_runner.py", `(?m)^CATALOG = "(.+)"$`, layout.IcebergCatalog},
		{"lib/velib_io.py", `args\.get\("(\w+)"\) or \(`, layout.ExecutionArg},
		{"lib/velib_io.py", `(?m)^ARRIVALS_PATH = "(.+)"$`, layout.ArrivalsArg},
	} {
		src, err := os.ReadFile("../../glue_scripts/" + c.file)
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(c.pattern).FindSubmatch(src)
		if m == nil {
			t.Errorf("%s has no %s", c.file, c.pattern)
		} else if string(m[1]) != c.want {
			t.Errorf("%s says %q, the stack %q", c.file, m[1], c.want)
		}
	}
}
