// Package passcache remembers that a slow check passed on a working tree,
// so that running it again on the same tree can report that pass instead
// (make rehearse). The key is the path, kind and content of every file git
// would track there (tracked, or new and not ignored) but those the caller
// knows the check never reads, with what the tree does not hold (tools,
// install stamps) given by the caller.
package passcache

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Key returns the hash of the tree at root (a git work tree), less the
// files for which skip (given a slash-separated path relative to root)
// reports true, and of extra, strings that stand for what the tree does
// not hold (a tool's version, an install stamp). A nil skip keeps every
// file.
func Key(root string, skip func(name string) bool, extra ...string) (string, error) {
	cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--deduplicate")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("passcache: git ls-files in %s: %v: %s", root, err, strings.TrimSpace(stderr.String()))
	}
	h := sha256.New()
	for _, e := range extra {
		fmt.Fprintf(h, "extra %q\n", e)
	}
	for _, name := range strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00") {
		if name == "" || (skip != nil && skip(name)) {
			continue
		}
		if err := file(h, root, name); err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// file writes one file's path, kind and content to h.
func file(h io.Writer, root, name string) error {
	path := filepath.Join(root, name)
	info, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist): // tracked, deleted in the tree
		fmt.Fprintf(h, "gone %q\n", name)
		return nil
	case err != nil:
		return err
	case info.Mode()&fs.ModeSymlink != 0:
		target, err := os.Readlink(path)
		fmt.Fprintf(h, "link %q %q\n", name, target)
		return err
	case info.IsDir(): // a submodule or a nested repository: its folder only
		fmt.Fprintf(h, "folder %q\n", name)
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sum := sha256.New()
	if _, err := io.Copy(sum, f); err != nil {
		return err
	}
	fmt.Fprintf(h, "file %q %v %x\n", name, info.Mode().Perm()&0o111 != 0, sum.Sum(nil))
	return nil
}
