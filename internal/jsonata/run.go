package jsonata

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"

	"github.com/partialruns/velib-pipeline/internal/tools"
)

// runNode runs script with the project's Node, request as JSON on stdin,
// and decodes its stdout into reply.
func runNode(script string, request, reply any) error {
	cmd, err := tools.Node("-e", script)
	if err != nil {
		return err
	}
	return exchange(cmd, request, reply)
}

// runPython does the same with the project's Python.
func runPython(script string, request, reply any) error {
	cmd, err := tools.Python("-c", script)
	if err != nil {
		return err
	}
	return exchange(cmd, request, reply)
}

func exchange(cmd *exec.Cmd, request, reply any) error {
	in, err := json.Marshal(request)
	if err != nil {
		return err
	}
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("jsonata: %s: %v\n%s\n%s", cmd.Path, err, strings.TrimSpace(stderr.String()), tools.InstallHint)
	}
	if err := json.Unmarshal(out, reply); err != nil {
		return fmt.Errorf("jsonata: decoding %s output: %v", cmd.Path, err)
	}
	return nil
}
