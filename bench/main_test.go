package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/optout-dev/optout/internal/gen"
)

// The benchmark at tiny sizes, so that it cannot rot: it generates, runs
// the reference query and optout, and prints the comparison.
func TestSmoke(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "bench")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build bench: %v\n%s", err, out)
	}
	referenceRunner = bin
	dir := filepath.Join(t.TempDir(), "data")
	if err := run(dir, gen.Sizes{Customers: 3000, Requests: 400, ExportRows: 1500, Seed: 1}, ""); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"reference_out/customers_flagged.parquet", "reference_out/ad_audience.parquet", "out/customers_flagged/dt=2026-11-21/part-0.parquet"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}
