package rehearse

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
)

var commitPattern = regexp.MustCompile(`^[0-9a-f]{40}$`)

// ReadBaseline returns the commit the baseline file names: its one line
// that is not blank or a # comment, a full 40-digit commit id.
func ReadBaseline(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	var commits []string
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := strings.TrimSpace(s.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		commits = append(commits, line)
	}
	if err := s.Err(); err != nil {
		return "", err
	}
	if len(commits) != 1 || !commitPattern.MatchString(commits[0]) {
		return "", fmt.Errorf("%s must name one commit, as 40 hex digits, on a line of its own; got %q", path, commits)
	}
	return commits[0], nil
}

// HaveCommit checks, before anything starts, that the repository at root
// holds commit: a shallow clone lacks the baseline's history.
func HaveCommit(root, commit string) error {
	if err := exec.Command("git", "-C", root, "cat-file", "-e", commit+"^{commit}").Run(); err != nil {
		return fmt.Errorf("BASELINE names commit %s, which this clone does not have (a shallow clone? git fetch --unshallow)", commit)
	}
	return nil
}
