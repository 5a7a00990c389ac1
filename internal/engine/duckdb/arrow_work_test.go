//go:build duckdb_arrow

package duckdb

import (
	"context"
	"testing"

	"github.com/optout-dev/optout/internal/config"
)

// With a temp_directory, an Arrow input's copy goes to the work database
// too, its rows numbered in file order as in memory.
func TestArrowCopyGoesToTheWorkDatabase(t *testing.T) {
	ctx := context.Background()
	e, err := Open(ctx, config.DuckDB{TempDirectory: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	file, _ := writeBenchArrow(t, 1000)
	rel, err := e.arrowRows(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := e.Query(ctx, `SELECT database_name FROM duckdb_tables() WHERE table_name = '_optout_arrow_0'`)
	if err != nil || len(rows) != 1 || rows[0]["database_name"] != workCatalog {
		t.Fatalf("the Arrow copy's table: %v, %v; want one in %s", rows, err, workCatalog)
	}
	rows, err = e.Query(ctx, `SELECT count(*) AS n, count(*) FILTER (WHERE request_id <> 'r' || _row) AS misnumbered FROM `+rel)
	if err != nil || len(rows) != 1 || rows[0]["n"] != int64(1000) || rows[0]["misnumbered"] != int64(0) {
		t.Fatalf("the Arrow copy's rows: %v, %v; want 1000 numbered in file order", rows, err)
	}
}
