package jsonata

import (
	"fmt"

	"github.com/partialruns/velib-pipeline/internal/tools"
)

// runNode runs script with the project's Node, request as JSON on stdin,
// and decodes its stdout into reply.
func runNode(script string, request, reply any) error {
	cmd, err := tools.Node("-e", script)
	if err != nil {
		return err
	}
	return wrap(tools.Exchange(cmd, request, reply))
}

// runPython does the same with the project's Python.
func runPython(script string, request, reply any) error {
	cmd, err := tools.Python("-c", script)
	if err != nil {
		return err
	}
	return wrap(tools.Exchange(cmd, request, reply))
}

func wrap(err error) error {
	if err != nil {
		return fmt.Errorf("jsonata: %w", err)
	}
	return nil
}
