package duckdb

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/internal/engine/files"
	"github.com/optout-dev/optout/transforms"
)

// A history view reads its newest file until NarrowHistory makes it read
// the files dated from the history_from day on (the newest alone when
// none is). Case 65 checks that the notifications still list what they
// must; this checks which files they read.
func TestNarrowHistory(t *testing.T) {
	ctx := context.Background()
	eng, err := Open(ctx, config.DuckDB{})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	dir := t.TempDir()
	var files []string
	for _, dt := range []string{"2026-11-19", "2026-11-17", "2026-11-18"} {
		f := filepath.Join(dir, "dt="+dt, "part-0.csv")
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if _, _, err := eng.Run(ctx, transforms.Step{Name: "write", Kind: transforms.Output, Format: "csv", Target: f, SQL: "SELECT 'x' AS email"}); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	const view = "history__aud__csv"
	for _, c := range []struct {
		from string
		want string
	}{
		{"2026-11-18", "2026-11-18 2026-11-19"},
		{"2026-11-17", "2026-11-17 2026-11-18 2026-11-19"},
		{"2026-11-20", "2026-11-19"},
		{"9999-12-31", "2026-11-19"}, // no opt-out first enforced for D
	} {
		if err := eng.Register(ctx, view, []string{newestExportFile(files)}); err != nil {
			t.Fatal(err)
		}
		s := &stage{w: &Warehouse{Engine: eng}, historyFiles: map[string][]string{view: files}}
		if err := s.NarrowHistory(ctx, c.from); err != nil {
			t.Fatal(err)
		}
		_, rows, err := eng.Run(ctx, transforms.Step{Name: "read", Kind: transforms.Check, SQL: "SELECT DISTINCT _file FROM " + view + " ORDER BY 1"})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, row := range rows {
			got = append(got, exportFileDate(row["_file"].(string)))
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("history_from %v: the view reads %v, want %s", c.from, got, c.want)
		}
	}
}

// ReadPublished reads a per-date table whole from its dt= folders, dt
// being the folder's date; a table whose rows carry their own dt
// (third_party_notifications: the export's date) has it as export_dt, as
// on BigQuery. (DuckDB's hive partitioning would put the folder's date in
// its place.)
func TestReadPublishedWhole(t *testing.T) {
	ctx := context.Background()
	eng, err := Open(ctx, config.DuckDB{})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	out := t.TempDir()
	w := &Warehouse{Engine: eng, cfg: &config.Config{Output: out}, out: &files.Output{Dir: out}}
	write := func(table, dt, sql string) {
		f := filepath.Join(out, table, "dt="+dt, "part-0.parquet")
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if _, _, err := eng.Run(ctx, transforms.Step{Name: "write", Kind: transforms.Output, Target: f, SQL: sql}); err != nil {
			t.Fatal(err)
		}
	}
	write("third_party_notifications", "2026-11-20", "SELECT 'r1' AS request_id, 'aud' AS export, DATE '2026-11-18' AS dt")
	write("third_party_notifications", "2026-11-21", "SELECT 'r2' AS request_id, 'aud' AS export, DATE '2026-11-19' AS dt UNION ALL SELECT 'r2', 'aud', DATE '2026-11-20'")
	write("optout_state", "2026-11-21", "SELECT 'c1' AS customer_id")
	for _, c := range []struct{ table, query, want string }{
		{"third_party_notifications", "SELECT request_id || ' ' || export_dt || ' ' || dt AS r FROM v ORDER BY r",
			"r1 2026-11-18 2026-11-20, r2 2026-11-19 2026-11-21, r2 2026-11-20 2026-11-21"},
		{"optout_state", "SELECT customer_id || ' ' || dt AS r FROM v", "c1 2026-11-21"},
	} {
		ok, err := w.ReadPublished(ctx, "v", c.table, "")
		if err != nil || !ok {
			t.Fatalf("%s: %v, %v", c.table, ok, err)
		}
		_, rows, err := eng.Run(ctx, transforms.Step{Name: "read", Kind: transforms.Check, SQL: c.query})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rows {
			got = append(got, r["r"].(string))
		}
		if strings.Join(got, ", ") != c.want {
			t.Errorf("%s read whole: %q, want %q", c.table, strings.Join(got, ", "), c.want)
		}
	}
	if ok, err := w.ReadPublished(ctx, "v", "flag_changes", ""); ok || err != nil {
		t.Errorf("a table never published: %v, %v", ok, err)
	}
	// The analysts' catalog (output/optout.duckdb) reads them alike: its
	// view put the folder's date in the export's date's place.
	if err := w.Catalog(ctx); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"ATTACH " + transforms.Literal(filepath.Join(out, "optout.duckdb")) + " AS cat (READ_ONLY)", "SET file_search_path = " + transforms.Literal(out)} {
		if _, _, err := eng.Run(ctx, transforms.Step{Name: "open", Kind: transforms.Setup, SQL: q}); err != nil {
			t.Fatal(err)
		}
	}
	_, rows, err := eng.Run(ctx, transforms.Step{Name: "read", Kind: transforms.Check,
		SQL: "SELECT string_agg(request_id || ' ' || export_dt || ' ' || dt, ', ' ORDER BY request_id, export_dt) AS r FROM cat.main.third_party_notifications"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := rows[0]["r"], "r1 2026-11-18 2026-11-20, r2 2026-11-19 2026-11-21, r2 2026-11-20 2026-11-21"; got != want {
		t.Errorf("catalog view third_party_notifications: %q, want %q", got, want)
	}
}

// A view as a table input is refused with a message that says what to do
// (DuckDB's own was a Binder Error about a column named rowid).
func TestRegisterTableRefusesAView(t *testing.T) {
	ctx := context.Background()
	eng, err := Open(ctx, config.DuckDB{})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	if _, err := eng.conn.ExecContext(ctx, "CREATE TABLE crm AS SELECT 'C1' AS customer_id; CREATE VIEW crm_view AS SELECT * FROM crm"); err != nil {
		t.Fatal(err)
	}
	if inPlace, err := eng.RegisterTable(ctx, "customers", "crm", []string{"customer_id"}); err != nil || inPlace {
		t.Fatalf("a table: %v (in place: %v, which only a table another process can change is)", err, inPlace)
	}
	_, err = eng.RegisterTable(ctx, "customers", "crm_view", nil)
	if err == nil || !strings.Contains(err.Error(), "crm_view has no row ids (is it a view?)") {
		t.Fatalf("a view: %v, want it named as one", err)
	}
}
