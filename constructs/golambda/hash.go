package golambda

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// listFormat prints, for each package of the main module in the build, its
// directory and the files compiled into it. Standard-library and third-party
// packages are pinned by go.sum, which is hashed whole.
const listFormat = `{{if .Module}}{{if .Module.Main}}{{.Dir}}{{range .GoFiles}}|{{.}}{{end}}{{range .EmbedFiles}}|{{.}}{{end}}{{end}}{{end}}`

// AssetHash returns a hex SHA-256 of everything that determines the binary
// built from entry: the build settings, go.mod, go.sum and the source files
// of the main module's packages that entry imports (tests excluded). Paths
// are hashed relative to moduleRoot, so the hash does not depend on where the
// checkout lives.
func AssetHash(moduleRoot, entry string) (string, error) {
	files, err := sourceFiles(moduleRoot, entry)
	if err != nil {
		return "", err
	}
	files = append(files, "go.mod")
	// A module with no dependencies has no go.sum.
	if _, err := os.Stat(filepath.Join(moduleRoot, "go.sum")); err == nil {
		files = append(files, "go.sum")
	}
	sort.Strings(files)

	h := sha256.New()
	fmt.Fprintf(h, "env=%q flags=%q\n", buildEnv, buildFlags)
	for _, rel := range files {
		if err := hashFile(h, moduleRoot, rel); err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// sourceFiles lists the files compiled into entry's binary, relative to
// moduleRoot with forward slashes.
func sourceFiles(moduleRoot, entry string) ([]string, error) {
	cmd := exec.Command("go", "list", "-deps", "-f", listFormat, entry)
	cmd.Dir = moduleRoot
	cmd.Env = append(os.Environ(), buildEnv...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("golambda: go list %s: %v\n%s", entry, err, stderr.String())
	}
	root, err := filepath.Abs(moduleRoot)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if line == "" {
			continue
		}
		parts := strings.Split(line, "|")
		dir, err := filepath.Rel(root, parts[0])
		if err != nil {
			return nil, err
		}
		for _, name := range parts[1:] {
			files = append(files, filepath.ToSlash(filepath.Join(dir, name)))
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("golambda: %s has no Go files in module %s", entry, root)
	}
	return files, nil
}

func hashFile(h io.Writer, root, rel string) error {
	f, err := os.Open(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil {
		return fmt.Errorf("golambda: hashing %s: %w", rel, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	// Name and size frame each file, so moving bytes from one file to the
	// next changes the hash.
	fmt.Fprintf(h, "%s %d\n", rel, info.Size())
	_, err = io.Copy(h, f)
	return err
}
