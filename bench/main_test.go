package main

import (
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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
	// The reference filters every export, as optout does: about the same
	// rows go (it simplifies: it matches fewer email spellings, and a
	// prospect's later opt-in does not bring them back).
	for _, export := range []string{"ad_audience", "list_rental"} {
		in := rows(t, filepath.Join(dir, "data", "exports", export+".parquet"))
		ref := rows(t, filepath.Join(dir, "reference_out", export+".parquet"))
		opt := rows(t, filepath.Join(dir, "out", "exports", export, "dt=2026-11-21", "part-0.parquet"))
		t.Logf("%s: %d rows in, the reference keeps %d, optout %d", export, in, ref, opt)
		if ref >= in || opt >= in || ref < opt-in/50 || ref > opt+in/50 {
			t.Errorf("%s: %d rows in, the reference keeps %d, optout %d: want both to drop some, within 2%% of the rows in", export, in, ref, opt)
		}
	}
	// A --memory-limit run reuses the data set and leaves its config as generated.
	if err := run(dir, gen.Sizes{Customers: 3000, Requests: 400, ExportRows: 1500, Seed: 1}, "1GB"); err != nil {
		t.Fatal(err)
	}
	generated, _ := os.ReadFile(filepath.Join(dir, "optout.yaml"))
	limited, _ := os.ReadFile(filepath.Join(dir, "optout.memory-limit.yaml"))
	if strings.Contains(string(generated), "memory_limit") || !strings.Contains(string(limited), "memory_limit: 1GB") {
		t.Errorf("optout.yaml:\n%s\noptout.memory-limit.yaml:\n%s", generated, limited)
	}
}

// rows counts the rows of a Parquet file.
func rows(t *testing.T, file string) int64 {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int64
	if err := db.QueryRow("SELECT count(*) FROM read_parquet(?)", file).Scan(&n); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return n
}
