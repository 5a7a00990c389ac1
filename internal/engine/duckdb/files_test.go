package duckdb

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/internal/engine"
	"github.com/optout-dev/optout/transforms"
)

// CSV files written by Output steps read back as text, by column name,
// whatever the order of their columns, with what CSV quoting protects.
func TestRegisterCSVReadsWrittenFilesByName(t *testing.T) {
	ctx, e := context.Background(), openEngine(t)
	dir := t.TempDir()
	older := filepath.Join(dir, "dt=2026-11-20", "part-0.csv")
	newer := filepath.Join(dir, "dt=2026-11-21", "part-0.csv")
	for _, f := range []string{older, newer} {
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeOutput(t, e, older, "csv", `SELECT 'a@x.com' AS email, '1' AS "crm id" UNION ALL SELECT NULL, '2'`)
	// The other column order, a value with the delimiter, a quote and a
	// line break, a column name that needs quoting.
	writeOutput(t, e, newer, "csv", `SELECT '3' AS "crm id", 'b,"q"'||chr(10)||'c@x.com' AS email`)

	if err := e.Register(ctx, "history", []string{older, newer}); err != nil {
		t.Fatal(err)
	}
	rows, err := e.Query(ctx, `SELECT "crm id" AS id, email, _file FROM history ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ id, email, file string }{
		{"1", "a@x.com", older}, {"2", "<nil>", older}, {"3", "b,\"q\"\nc@x.com", newer},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d: %v", len(rows), len(want), rows)
	}
	for i, w := range want {
		got := rows[i]
		if str(got["id"]) != w.id || str(got["email"]) != w.email || str(got["_file"]) != w.file {
			t.Errorf("row %d = %v, want %+v", i, got, w)
		}
	}
}

func TestRegisterCSVWithoutHeaderNamesTheFile(t *testing.T) {
	ctx, e := context.Background(), openEngine(t)
	empty := filepath.Join(t.TempDir(), "part-0.csv")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	err := e.Register(ctx, "history", []string{empty})
	if err == nil || !strings.Contains(err.Error(), empty) || !strings.Contains(err.Error(), "no header line") {
		t.Fatalf("err = %v, want one naming %s and its missing header", err, empty)
	}
}

func openEngine(t *testing.T) *Engine {
	t.Helper()
	e, err := Open(context.Background(), config.DuckDB{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// writeOutput writes the rows of sql to target as an Output step does.
func writeOutput(t *testing.T, e *Engine, target, format, sql string) {
	t.Helper()
	s := transforms.Step{Name: "write", Kind: transforms.Output, Format: format, Target: target, SQL: sql}
	if _, _, err := e.Run(context.Background(), s); err != nil {
		t.Fatal(err)
	}
}

func str(v any) string {
	if v == nil {
		return "<nil>"
	}
	if s, ok := v.(string); ok {
		return s
	}
	return "?"
}

// Describe remembers a file's schema while the file stays as it is, and
// reads it again once the file is rewritten.
func TestDescribeReadsAChangedFileAgain(t *testing.T) {
	ctx, e := context.Background(), openEngine(t)
	file := filepath.Join(t.TempDir(), "customers.parquet")
	columns := func() string {
		t.Helper()
		fields, err := e.Describe(ctx, file)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, f := range fields {
			names = append(names, f.Name)
		}
		return strings.Join(names, ",")
	}
	writeOutput(t, e, file, "parquet", `SELECT 'C1' AS customer_id`)
	if got := columns(); got != "customer_id" {
		t.Fatalf("columns %q, want customer_id", got)
	}
	if got := columns(); got != "customer_id" {
		t.Fatalf("columns read again %q, want customer_id", got)
	}
	writeOutput(t, e, file, "parquet", `SELECT 'C1' AS customer_id, 'a@x.com' AS email`)
	if got := columns(); got != "customer_id,email" {
		t.Fatalf("columns after the file changed %q, want customer_id,email", got)
	}
}

// Registering the same view over the same files again keeps it, and it
// reads a file that changed as it is now — new columns, a column whose
// type changed: DuckDB binds a view's query again each time it is read.
// Over other files, it is made again.
func TestRegisterKeepsAViewThatReadsItsFilesAsTheyAre(t *testing.T) {
	ctx, e := context.Background(), openEngine(t)
	dir := t.TempDir()
	file, other := filepath.Join(dir, "customers.parquet"), filepath.Join(dir, "more.parquet")
	read := func(files ...string) ([]engine.Row, error) {
		t.Helper()
		if err := e.Register(ctx, "src_customers", files); err != nil {
			t.Fatal(err)
		}
		return e.Query(ctx, `SELECT customer_id, email FROM src_customers ORDER BY email`)
	}
	writeOutput(t, e, file, "parquet", `SELECT 'C1' AS customer_id`)
	if _, err := read(file); err == nil {
		t.Fatal("email read from a file without it")
	}
	if _, err := read(file); err == nil {
		t.Fatal("email read from a file without it, registered again")
	}
	writeOutput(t, e, file, "parquet", `SELECT 1 AS customer_id, 'a@x.com' AS email`)
	rows, err := read(file)
	if err != nil || len(rows) != 1 || rows[0]["email"] != "a@x.com" || rows[0]["customer_id"] != int32(1) {
		t.Fatalf("after the file changed: %v, %v; want one row with customer_id 1, email a@x.com", rows, err)
	}
	writeOutput(t, e, other, "parquet", `SELECT 2 AS customer_id, 'b@x.com' AS email`)
	if rows, err := read(file, other); err != nil || len(rows) != 2 || rows[1]["email"] != "b@x.com" {
		t.Fatalf("over two files: %v, %v; want a@x.com and b@x.com", rows, err)
	}
}

// A Parquet view's _file is an ENUM of the paths (a byte or two a row in
// the tables that keep it), whose values are the paths and which sorts as
// the paths do, whatever order the files are given in: the current row of
// a request ties on the greater file path.
func TestRegisterParquetFileIsAnEnumSortedAsThePaths(t *testing.T) {
	ctx, e := context.Background(), openEngine(t)
	dir := t.TempDir()
	b, a := filepath.Join(dir, "b.parquet"), filepath.Join(dir, "a.parquet")
	writeOutput(t, e, b, "parquet", `SELECT 'r1' AS request_id`)
	writeOutput(t, e, a, "parquet", `SELECT 'r1' AS request_id`)
	if err := e.Register(ctx, "src", []string{b, a}); err != nil {
		t.Fatal(err)
	}
	rows, err := e.Query(ctx, `SELECT _file, typeof(_file) AS type FROM src ORDER BY _file DESC`)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || str(rows[0]["_file"]) != b || str(rows[1]["_file"]) != a {
		t.Fatalf("rows by _file descending: %v, want %s then %s", rows, b, a)
	}
	if typ := str(rows[0]["type"]); !strings.HasPrefix(typ, "ENUM(") {
		t.Errorf("_file is %s, want an ENUM of the paths", typ)
	}
}
