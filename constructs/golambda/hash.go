package golambda

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// listFormat prints lines for each package in the build of entry: for a
// package whose source is on disk in this checkout (the main module, or a
// module replaced by a local directory), "F|dir|file|file…", the files
// being hashed; for a module's package, "M|path version sum" (go.sum pins
// the content; the version is also written into the binary).
const listFormat = `{{if .Module}}` +
	`{{if not .Module.Main}}M|{{.Module.Path}} {{.Module.Version}} {{.Module.Sum}}{{"\n"}}{{end}}` +
	`{{if or .Module.Main (and .Module.Replace (not .Module.Replace.Version))}}F|{{.Dir}}{{range .GoFiles}}|{{.}}{{end}}{{range .EmbedFiles}}|{{.}}{{end}}{{end}}` +
	`{{end}}`

// inputs is what determines the binary built from entry.
type inputs struct {
	// files are source files, relative to the module root with slashes.
	files []string
	// modules are the other modules the binary links, as "path version
	// sum", sorted.
	modules []string
}

// AssetHash returns a hex SHA-256 of everything that determines the binary
// built from entry for goarch, and nothing else: the build settings (the
// target architecture among them), the go and
// toolchain lines of go.mod, the source files of the packages entry
// imports from this checkout (tests excluded), and the version and checksum
// of every other module it links. A module the binary does not link (the
// CDK, say) can change without changing the hash, so it does not redeploy
// the function. Paths are hashed relative to moduleRoot, so the hash does
// not depend on where the checkout lives.
func AssetHash(moduleRoot, entry, goarch string) (string, error) {
	in, err := buildInputs(moduleRoot, entry, goarch)
	if err != nil {
		return "", err
	}
	directives, err := goDirectives(filepath.Join(moduleRoot, "go.mod"))
	if err != nil {
		return "", err
	}
	h := sha256.New()
	fmt.Fprintf(h, "env=%q flags=%q go.mod=%q\n", buildEnv(goarch), buildFlags, directives)
	for _, m := range in.modules {
		fmt.Fprintf(h, "module %s\n", m)
	}
	for _, rel := range in.files {
		if err := hashFile(h, moduleRoot, rel); err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// buildInputs asks go list what entry's binary is built from.
func buildInputs(moduleRoot, entry, goarch string) (inputs, error) {
	cmd := exec.Command("go", "list", "-deps", "-f", listFormat, entry)
	cmd.Dir = moduleRoot
	cmd.Env = append(os.Environ(), buildEnv(goarch)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return inputs{}, fmt.Errorf("golambda: go list %s: %v\n%s", entry, err, stderr.String())
	}
	root, err := filepath.Abs(moduleRoot)
	if err != nil {
		return inputs{}, err
	}
	var in inputs
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		kind, rest, _ := strings.Cut(line, "|")
		switch kind {
		case "M":
			in.modules = append(in.modules, rest)
		case "F":
			parts := strings.Split(rest, "|")
			dir, err := filepath.Rel(root, parts[0])
			if err != nil {
				return inputs{}, err
			}
			for _, name := range parts[1:] {
				in.files = append(in.files, filepath.ToSlash(filepath.Join(dir, name)))
			}
		}
	}
	if len(in.files) == 0 {
		return inputs{}, fmt.Errorf("golambda: %s has no Go files in module %s", entry, root)
	}
	slices.Sort(in.files)
	slices.Sort(in.modules)
	in.modules = slices.Compact(in.modules)
	return in, nil
}

// goDirectives returns the go and toolchain lines of a go.mod file, which
// choose the compiler and the language version.
func goDirectives(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("golambda: %w", err)
	}
	defer f.Close()
	var out []string
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		line := strings.TrimSpace(scanner.Text())
		if strings.HasPrefix(line, "go ") || strings.HasPrefix(line, "toolchain ") {
			out = append(out, line)
		}
	}
	return out, scanner.Err()
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
