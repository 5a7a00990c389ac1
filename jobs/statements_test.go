//go:build !no_duckdb

package jobs

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/internal/engine"
	"github.com/optout-dev/optout/internal/engine/duckdb"
	"github.com/optout-dev/optout/transforms"
)

// queryLog is the DuckDB engine of a run, counting from DuckDB's own query
// log (every statement DuckDB executed, each of a multi-statement text
// apart) the statements it ran inside each Run, per date: a count that
// does not go through the engine's own (Steps.Statements).
type queryLog struct {
	*duckdb.Warehouse
	t   *testing.T
	dt  string           // the date whose run is running
	ran map[string]int64 // per date
}

func openQueryLog(t *testing.T, cfg *config.Config) *queryLog {
	t.Helper()
	w, err := duckdb.OpenWarehouse(context.Background(), cfg, nil, func(string) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = w.Close() })
	q := &queryLog{Warehouse: w, t: t, ran: map[string]int64{}}
	if _, err := w.Query(context.Background(), "CALL enable_logging('QueryLog')"); err != nil {
		t.Fatal(err)
	}
	// A count of the log sees the statements before it, not itself.
	if a, b := q.logged(), q.logged(); b != a+1 {
		t.Fatalf("two counts of the query log in a row: %d then %d, want one more", a, b)
	}
	return q
}

// logged is the number of statements in DuckDB's query log.
func (q *queryLog) logged() int64 {
	q.t.Helper()
	rows, err := q.Query(context.Background(), "SELECT count(*) AS n FROM duckdb_logs WHERE type = 'QueryLog'")
	if err != nil {
		q.t.Fatal(err)
	}
	return asInt(rows[0]["n"])
}

func (q *queryLog) Run(ctx context.Context, s transforms.Step) (int64, []engine.Row, error) {
	before := q.logged()
	n, rows, err := q.Warehouse.Run(ctx, s)
	q.ran[q.dt] += q.logged() - before - 1 // the count before is logged too
	return n, rows, err
}

// demoConfig is the demo's config with its output in a temporary folder.
func demoConfig(t *testing.T) *config.Config {
	t.Helper()
	cfg, err := config.Load("../testdata/demo/optout.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Output = t.TempDir()
	return cfg
}

// runsStatements reads the statements of the succeeded runs rows, by date.
func runsStatements(t *testing.T, out string) map[string]int64 {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT strftime(dt, '%Y-%m-%d'), statements FROM read_parquet(?, union_by_name = true) WHERE status = 'succeeded'`,
		filepath.Join(out, "runs", "*.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string]int64{}
	for rows.Next() {
		var dt string
		var n sql.NullInt64
		if err := rows.Scan(&dt, &n); err != nil {
			t.Fatal(err)
		}
		got[dt] = n.Int64
		if !n.Valid {
			got[dt] = -1
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return got
}

func day(s string) time.Time {
	d, _ := time.Parse(time.DateOnly, s)
	return d
}

// A run of the demo reports, in its summary and its runs row, the number
// of statements DuckDB executed for its steps, macros and drops included.
func TestRunCountsItsStatements(t *testing.T) {
	cfg := demoConfig(t)
	eng := openQueryLog(t, cfg)
	eng.dt = "2026-11-21"
	sum, err := Run(context.Background(), RunOptions{Config: cfg, Engine: eng, Date: day(eng.dt), Now: day("2026-11-23")})
	if err != nil {
		t.Fatal(err)
	}
	want := eng.ran[eng.dt]
	t.Logf("%s: %d steps, %d statements", eng.dt, len(sum.Steps), want)
	// More than one per step: the macros and the drops of freed tables
	// are several statements each.
	if sum.Statements != want || want <= int64(len(sum.Steps)) {
		t.Errorf("summary: %d statements; DuckDB ran %d for the %d steps", sum.Statements, want, len(sum.Steps))
	}
	if got := runsStatements(t, cfg.Output); got[eng.dt] != want {
		t.Errorf("runs row: %d statements, want %d", got[eng.dt], want)
	}
}

// A backfill's later date runs fewer statements than its first: what it
// keeps from the first date is not run again.
func TestBackfillCountsEachDatesStatements(t *testing.T) {
	cfg := demoConfig(t)
	eng := openQueryLog(t, cfg)
	dates := []string{"2026-11-21", "2026-11-22"}
	sum, err := Backfill(context.Background(), BackfillOptions{
		RunOptions: RunOptions{Config: cfg, Engine: eng, Now: day("2026-11-24")},
		From:       day(dates[0]), To: day(dates[1]),
		OnDate: func(_, _ int, dt string) { eng.dt = dt },
	})
	if err != nil {
		t.Fatal(err)
	}
	rows := runsStatements(t, cfg.Output)
	t.Logf("statements per date: %v", sum.Statements)
	for _, dt := range dates {
		if sum.Statements[dt] != eng.ran[dt] || rows[dt] != eng.ran[dt] || eng.ran[dt] == 0 {
			t.Errorf("%s: summary %d statements, runs row %d; DuckDB ran %d", dt, sum.Statements[dt], rows[dt], eng.ran[dt])
		}
	}
	if first, later := sum.Statements[dates[0]], sum.Statements[dates[1]]; later >= first {
		t.Errorf("the later date ran %d statements, the first %d: want fewer", later, first)
	}
	if len(sum.Statements) != len(dates) {
		t.Errorf("summary statements %v, want one count per date", sum.Statements)
	}
}

// Runs rows written before the statements column existed stay readable
// beside new ones: the next run (prev_runs), the report, a backfill's
// succeeded dates and the analysts' catalog read them, the old row's
// statements as NULL.
func TestRunsRowsWithoutStatements(t *testing.T) {
	ctx := context.Background()
	cfg := demoConfig(t)
	first, second := "2026-11-21", "2026-11-22"
	if _, err := Run(ctx, RunOptions{Config: cfg, Date: day(first), Now: day("2026-11-24")}); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	old, _ := filepath.Glob(filepath.Join(cfg.Output, "runs", "*.parquet"))
	if len(old) != 1 {
		t.Fatalf("runs files %v, want one", old)
	}
	// The row as a run before the column wrote it.
	if _, err := db.Exec(`COPY (SELECT * EXCLUDE (statements) FROM read_parquet(?)) TO '`+old[0]+`.old' (FORMAT parquet)`, old[0]); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(old[0]+".old", old[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := Report(ctx, ReportOptions{Config: cfg, Date: first, Out: filepath.Join(t.TempDir(), "dashboard.html")}); err != nil {
		t.Fatalf("report over a runs row without statements: %v", err)
	}
	if _, err := Run(ctx, RunOptions{Config: cfg, Date: day(second), Now: day("2026-11-24")}); err != nil {
		t.Fatalf("a run after a runs row without statements: %v", err)
	}
	sum, err := Backfill(ctx, BackfillOptions{RunOptions: RunOptions{Config: cfg, Now: day("2026-11-24")}, From: day(first), To: day(second)})
	if err != nil || len(sum.Skipped) != 2 {
		t.Fatalf("backfill: skipped %v, %v; want both dates skipped as done", sum.Skipped, err)
	}
	got := map[string]sql.NullInt64{}
	// The catalog's views read paths relative to the output folder.
	rows, err := db.Query(`ATTACH '` + filepath.Join(cfg.Output, "optout.duckdb") + `' AS catalog (READ_ONLY);
		SET file_search_path = '` + cfg.Output + `';
		SELECT strftime(dt, '%Y-%m-%d'), statements FROM catalog.runs WHERE status = 'succeeded'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var dt string
		var n sql.NullInt64
		if err := rows.Scan(&dt, &n); err != nil {
			t.Fatal(err)
		}
		got[dt] = n
	}
	if len(got) != 2 || got[first].Valid || !got[second].Valid || got[second].Int64 == 0 {
		t.Errorf("the catalog's runs: statements by date %v; want NULL for %s (the old row), a count for %s", got, first, second)
	}
}
