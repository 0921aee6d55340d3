// Package tools locates the pinned Node and Python tools that make installs
// under .tools/ at the module root, so tests and commands run the same
// versions wherever they are started from.
package tools

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/partialruns/velib-pipeline/internal/modroot"
)

// InstallHint is appended to errors that a missing install would explain.
const InstallHint = "(make test installs the pinned tools into .tools/)"

// installed returns the folder .tools/<env> at the module root if make has
// finished installing it there (its .installed stamp exists). Checking the
// stamp also puts it in go test's cache key, so a test that runs a tool
// reruns after a reinstall (go test cannot see what the tool itself reads).
func installed(env string) (string, error) {
	root, err := modroot.Find()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(root, ".tools", env)
	if _, err := os.Stat(filepath.Join(dir, ".installed")); err != nil {
		return "", fmt.Errorf("%s is not installed %s", dir, InstallHint)
	}
	return dir, nil
}

// Node returns a command running the project's Node 22 with args, able to
// require the packages pinned in package-lock.json.
func Node(args ...string) (*exec.Cmd, error) {
	modules, err := installed("node_modules")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(filepath.Join(modules, ".bin", "node"), args...)
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
	return cmd, nil
}

// NodeBin is the path of an executable that an npm package installs.
func NodeBin(name string) (string, error) {
	modules, err := installed("node_modules")
	if err != nil {
		return "", err
	}
	return filepath.Join(modules, ".bin", name), nil
}

// Python returns a command running the project's virtual environment's
// Python with args, with the packages pinned in the requirements file.
func Python(args ...string) (*exec.Cmd, error) {
	bin, err := VenvBin("python")
	if err != nil {
		return nil, err
	}
	return exec.Command(bin, args...), nil
}

// VenvBin is the path of an executable in the project's virtual environment.
func VenvBin(name string) (string, error) {
	venv, err := installed("venv")
	if err != nil {
		return "", err
	}
	return filepath.Join(venv, "bin", name), nil
}

// Checkov is the path of checkov, in the virtual environment of its own
// that make test installs (security/requirements.txt).
func Checkov() (string, error) {
	env, err := installed("checkov")
	if err != nil {
		return "", err
	}
	return filepath.Join(env, "bin", "checkov"), nil
}

// Exchange runs cmd with request as one JSON line on stdin and decodes its
// stdout into reply. A failure carries the tool's stderr and InstallHint.
func Exchange(cmd *exec.Cmd, request, reply any) error {
	in, err := json.Marshal(request)
	if err != nil {
		return err
	}
	cmd.Stdin = bytes.NewReader(append(in, '\n'))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("%s: %v\n%s\n%s", cmd.Path, err, strings.TrimSpace(stderr.String()), InstallHint)
	}
	if err := json.Unmarshal(out, reply); err != nil {
		return fmt.Errorf("decoding the output of %s: %v", cmd.Path, err)
	}
	return nil
}

// RulerJars is the folder of aws/event-ruler's jars (internal/ruler's
// pom.xml), for a java class path.
func RulerJars() (string, error) { return installed("ruler") }
