// Command mirror makes a folder hold what another holds, rewriting only the
// files that differ, so that go test keeps the results of tests that read
// the unchanged ones: mirror FROM TO. make synthesizes the local run's
// assembly into a new folder, then mirrors it onto .tools/local.out.
package main

import (
	"fmt"
	"os"

	"github.com/partialruns/velib-pipeline/internal/mirror"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: mirror FROM TO")
		os.Exit(2)
	}
	if err := mirror.Dir(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "mirror:", err)
		os.Exit(1)
	}
}
