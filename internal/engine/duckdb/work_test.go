package duckdb

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/transforms"
)

// With a temp_directory, step tables go to the work database file, which
// leaves nothing in the directory, even while it is open, and stores its
// strings as they are (no dictionary or FSST analysis on unique keys).
func TestStepTablesGoToAnUnlinkedWorkDatabase(t *testing.T) {
	ctx, dir := context.Background(), t.TempDir()
	e, err := Open(ctx, config.DuckDB{MemoryLimit: "256MB", TempDirectory: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	step := func(table, sql string, want int64) {
		t.Helper()
		n, _, err := e.Run(ctx, transforms.Step{Name: table, Kind: transforms.Temp, Table: table, SQL: sql})
		if err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Errorf("step %s made %d rows, want %d", table, n, want)
		}
	}
	// More than the memory limit uncompressed: ~2M rows × two strings
	// longer than DuckDB inlines.
	step("keys", `SELECT i, 'customer-' || i AS customer_id, md5(i::text) || '@example.com' AS email FROM range(2000000) r(i)`, 2000000)
	step("keyed", `SELECT count(*) AS n, count(DISTINCT email) AS emails FROM `+transforms.TempName("keys"), 1)

	rows, err := e.Query(ctx, `SELECT database_name, table_name, temporary FROM duckdb_tables() WHERE table_name LIKE '\_optout\_%' ESCAPE '\' ORDER BY table_name`)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("step tables %v, want keyed and keys", rows)
	}
	for _, r := range rows {
		if r["database_name"] != workCatalog || r["temporary"] != false {
			t.Errorf("step table %v, want a table of %s", r, workCatalog)
		}
	}
	rows, err = e.Query(ctx, `SELECT n, emails FROM `+transforms.TempName("keyed"))
	if err != nil || len(rows) != 1 || rows[0]["n"] != int64(2000000) || rows[0]["emails"] != int64(2000000) {
		t.Fatalf("keyed = %v, %v; want 2000000 rows and emails", rows, err)
	}
	rows, err = e.Query(ctx, `SELECT DISTINCT column_name, compression FROM pragma_storage_info('`+workCatalog+`.main.`+transforms.TempName("keys")+`') WHERE column_name IN ('customer_id', 'email') AND segment_type = 'VARCHAR'`)
	if err != nil || len(rows) == 0 {
		t.Fatalf("storage of the keys' strings: %v, %v", rows, err)
	}
	for _, r := range rows {
		// Named by what is allowed, so that a method DuckDB renames or adds
		// cannot pass unseen.
		if c := r["compression"]; c != "Uncompressed" && c != "Constant" {
			t.Errorf("work table column %v stored with %v, want its strings as they are (Uncompressed)", r["column_name"], c)
		}
	}
	// DuckDB may spill its own files there; the work database is not one.
	if work, _ := filepath.Glob(filepath.Join(dir, "*", "optout-work-*")); len(work) != 0 {
		t.Errorf("the temp directory holds %v while the engine is open, want no work file", work)
	}
	// The step that frees tables reaches them by their plain names too.
	if _, _, err := e.Run(ctx, transforms.FreeStep(transforms.DuckDB, "", []string{"keys"})); err != nil {
		t.Fatal(err)
	}
	if rows, err := e.Query(ctx, `SELECT 1 FROM duckdb_tables() WHERE table_name = '`+transforms.TempName("keys")+`'`); err != nil || len(rows) != 0 {
		t.Errorf("after DROP: %v, %v; want the table gone", rows, err)
	}
}

// DuckDB's temporary files hold input rows, people's emails among them,
// in files it makes readable by all: each engine spills into a folder of
// its own that only its user may enter, inside the configured
// temp_directory or the system's temporary folder (DuckDB's own default
// was ".tmp" in the working directory), and removes it when it closes.
func TestSpillFolderIsPrivate(t *testing.T) {
	ctx := context.Background()
	configured := filepath.Join(t.TempDir(), "spill")
	for _, c := range []struct{ temp, under string }{{configured, configured}, {"", os.TempDir()}} {
		e, err := Open(ctx, config.DuckDB{TempDirectory: c.temp})
		if err != nil {
			t.Fatal(err)
		}
		rows, err := e.Query(ctx, "SELECT current_setting('temp_directory') AS dir")
		if err != nil || len(rows) != 1 {
			t.Fatalf("temp_directory: %v, %v", rows, err)
		}
		dir, _ := rows[0]["dir"].(string)
		if filepath.Dir(dir) != filepath.Clean(c.under) {
			t.Errorf("temp_directory %q configured: DuckDB spills to %q, want a folder of its own in %s", c.temp, dir, c.under)
		}
		if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o700 {
			t.Errorf("spill folder %s: %v; want a folder with mode 0700", dir, cmp.Or(err, fmt.Errorf("mode %v", st.Mode().Perm())))
		}
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("spill folder %s after Close: %v, want it removed", dir, err)
		}
	}
}

// A temporary table step reports the rows it made (the runs row and the
// summary count the requests so), in memory as in the work database.
func TestTempStepCountsItsRows(t *testing.T) {
	ctx := context.Background()
	e, err := Open(ctx, config.DuckDB{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for _, want := range []int64{0, 1, 3000} {
		n, _, err := e.Run(ctx, transforms.Step{Name: "t", Kind: transforms.Temp, Table: "t", SQL: fmt.Sprintf("SELECT * FROM range(%d)", want)})
		if err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Errorf("made %d rows, want %d", n, want)
		}
	}
}

// Over a warehouse database the work database keeps DuckDB's compression:
// the setting is the process's, and the write-back would store the
// warehouse's own tables without it.
func TestWarehouseKeepsItsCompression(t *testing.T) {
	ctx, dir := context.Background(), t.TempDir()
	e, err := Open(ctx, config.DuckDB{Database: filepath.Join(dir, "warehouse.duckdb"), TempDirectory: filepath.Join(dir, "spill")})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	rows, err := e.Query(ctx, `SELECT current_setting('disabled_compression_methods') AS disabled`)
	if err != nil || len(rows) != 1 {
		t.Fatalf("setting: %v, %v", rows, err)
	}
	if d := rows[0]["disabled"]; d != "" {
		t.Errorf("disabled_compression_methods = %q over a warehouse database, want DuckDB's default (none)", d)
	}
}

// An engine opening beside another in the same process leaves the other's
// spill folder: its lock is held by an open file, whichever process has it.
// A folder that is not an engine's (no lock file) is left too.
func TestSpillFolderOfAnOpenEngineIsKept(t *testing.T) {
	ctx, dir := context.Background(), t.TempDir()
	other := filepath.Join(dir, "optout-not-a-spill")
	if err := os.Mkdir(other, 0o700); err != nil {
		t.Fatal(err)
	}
	first, err := Open(ctx, config.DuckDB{TempDirectory: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	second, err := Open(ctx, config.DuckDB{TempDirectory: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	for _, d := range []string{first.spill, second.spill, other} {
		if _, err := os.Stat(d); err != nil {
			t.Errorf("%s after a second engine opened: %v, want it kept", d, err)
		}
	}
}
