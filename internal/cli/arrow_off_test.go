//go:build !duckdb_arrow

package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestArrowNeedsTag: a build without the duckdb_arrow tag says how to get
// Arrow IPC support instead of misreading the file.
func TestArrowNeedsTag(t *testing.T) {
	cfg := fixture(t, `
engine: duckdb
timezone: UTC
output: out
inputs:
  requests:
    - {name: web, path: inputs/requests.arrow}
  customers: {path: inputs/customers.parquet}
`, map[string]string{"customers": `SELECT 'c1' AS customer_id, 'a@example.com' AS email`})
	file := filepath.Join(filepath.Dir(cfg), "inputs", "requests.arrow")
	if err := os.WriteFile(file, []byte("ARROW1"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, se := run(t, "run", "--config", cfg, "--date", "2026-11-21")
	if code != 3 || !strings.Contains(se, "file "+file+" cannot be read as Arrow IPC") || !strings.Contains(se, "-tags duckdb_arrow") {
		t.Errorf("exit %d, want 3 saying to build with -tags duckdb_arrow\n%s", code, se)
	}
}
