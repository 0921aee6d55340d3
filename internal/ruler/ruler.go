// Package ruler matches EventBridge event patterns against events with
// aws/event-ruler, the Java library EventBridge's matching is published
// as, so a rule's pattern is proven on an implementation nobody here
// wrote. The library and its jars are pinned in pom.xml; make installs
// them into .tools/ruler. It needs java on the PATH.
package ruler

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/partialruns/velib-pipeline/internal/modroot"
	"github.com/partialruns/velib-pipeline/internal/tools"
)

// Matches reports, for each event, whether pattern matches it. All events
// go to one JVM, which takes about a second to start.
func Matches(pattern any, events []any) ([]bool, error) {
	root, err := modroot.Find()
	if err != nil {
		return nil, err
	}
	jars, err := tools.RulerJars()
	if err != nil {
		return nil, fmt.Errorf("ruler: %w", err)
	}
	dir, err := os.MkdirTemp("", "ruler")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	files := map[string]any{"pattern.json": pattern, "events.json": events}
	for name, v := range files {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return nil, err
		}
	}
	// A short-lived JVM: the first compiler tier and the serial collector
	// halve its start.
	cmd := exec.Command("java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", jars+"/*",
		filepath.Join(root, "internal", "ruler", "Match.java"), filepath.Join(dir, "pattern.json"), filepath.Join(dir, "events.json"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("ruler: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	lines := strings.Fields(string(out))
	if len(lines) != len(events) {
		return nil, fmt.Errorf("ruler: %d answers for %d events: %q", len(lines), len(events), out)
	}
	got := make([]bool, len(lines))
	for i, l := range lines {
		got[i] = l == "true"
	}
	return got, nil
}
