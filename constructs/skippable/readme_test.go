package skippable_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeQuickStart takes the quick start's files from the README, as
// a newcomer would copy them, builds them in a new module outside this
// repository and runs the test they contain: the user test with the kit,
// which synthesizes the stack.
func TestReadmeQuickStart(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, m := range regexp.MustCompile("(?s)```go\n// (main(?:_test)?\\.go)\n(.*?)```").FindAllStringSubmatch(string(readme), -1) {
		files[m[1]] = m[2]
	}
	if len(files) != 2 {
		t.Fatalf("the README's quick start holds %d of main.go and main_test.go", len(files))
	}
	goCmd := consumer(t, files)
	out := goCmd("test", "-count=1", "-v", ".")
	if !strings.Contains(out, "--- PASS: TestPartialRuns") {
		t.Errorf("the quick start's test did not pass:\n%s", out)
	}
}
