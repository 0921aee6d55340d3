package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/partialruns/velib-pipeline/constructs/golambda"
	"github.com/partialruns/velib-pipeline/internal/modroot"
)

// BenchmarkBootstrap builds the function exactly as the stack deploys it
// (linux/arm64, stripped) and reports the size of the bootstrap binary, which
// drives cold-start download time. Run it with make bench.
func BenchmarkBootstrap(b *testing.B) {
	root, err := modroot.Find()
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	for b.Loop() {
		if err := golambda.Build(root, "./lambda/loaddata", "arm64", dir); err != nil {
			b.Fatal(err)
		}
	}
	info, err := os.Stat(filepath.Join(dir, "bootstrap"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(info.Size())/(1<<20), "MiB")
}
