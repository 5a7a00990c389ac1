package parity

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/internal/engine"
	"github.com/optout-dev/optout/internal/engine/open"
	"github.com/optout-dev/optout/internal/testkit/zetasql"
	"github.com/optout-dev/optout/jobs"
	"github.com/optout-dev/optout/transforms"
)

// TestReportQueriesMatchDuckDB holds the dashboard's figures on BigQuery
// to DuckDB's: every query of sql/report/, rendered for BigQuery, passes
// ZetaSQL's analysis and returns under its reference evaluator the rows
// the DuckDB query returns, both over the tables four nightly DuckDB runs
// of the demo published (D's metrics, the ledger, the runs, D's
// third-party notices), read as `optout report` reads them. Pending
// requests are held back, so there are open, overdue and completed
// requests in two months.
func TestReportQueriesMatchDuckDB(t *testing.T) {
	srv := zetasql.ForTest(t)
	ctx := context.Background()
	cfg, err := config.Load("../../../testdata/demo/optout.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Output = t.TempDir()
	cfg.Policy.ApplyPending = false
	date := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	for i := 3; i >= 0; i-- {
		day := date.AddDate(0, 0, -i)
		now := day.AddDate(0, 0, 1).Add(15 * time.Hour) // 07:00 the next morning in Los Angeles
		if _, err := jobs.Run(ctx, jobs.RunOptions{Config: cfg, Date: day, Now: now}); err != nil {
			t.Fatalf("run %s: %v", day.Format(time.DateOnly), err)
		}
	}

	eng, err := open.Engine(ctx, cfg, open.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	var tables []table
	for _, tb := range transforms.ReportTables() {
		dt := ""
		if tb.PerDate {
			dt = date.Format(time.DateOnly)
		}
		if ok, err := eng.ReadPublished(ctx, tb.View, tb.Table, dt); err != nil || !ok {
			t.Fatalf("published %s: %v, %v: the demo publishes every table the dashboard reads", tb.Table, ok, err)
		}
		tables = append(tables, bigQueryTable(mustReadTable(t, eng, tb.View, "")))
	}

	names, err := transforms.ReportQueries()
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < 11 {
		t.Fatalf("only %d report queries: %v", len(names), names)
	}
	// Today: the day in Los Angeles of the last run's now (2026-11-22 07:00).
	p := transforms.ReportParams{Date: date, TimeZone: cfg.Timezone, Today: date.AddDate(0, 0, 1), Notices: true, Published: true}
	for _, name := range names {
		compareReport(t, srv, eng, tables, name, p)
	}
	// Without third-party notices the count is 0 and no such table is read.
	p.Notices = false
	compareReport(t, srv, eng, tables[:len(tables)-1], "totals", p)
}

// compareReport runs query report_<name> on DuckDB and, rendered for
// BigQuery, under ZetaSQL, and compares the rows.
func compareReport(t *testing.T, srv *zetasql.Server, eng engine.Steps, tables []table, name string, p transforms.ReportParams) {
	t.Helper()
	ctx := context.Background()
	duck, err := transforms.ReportStep(transforms.DuckDB, "", name, p)
	if err != nil {
		t.Fatal(err)
	}
	bq, err := transforms.ReportStep(transforms.BigQuery, "", name, p)
	if err != nil {
		t.Fatal(err)
	}
	want := duckRows(t, eng, duck)
	if len(want.rows) == 0 {
		t.Errorf("report_%s: no rows on DuckDB: the demo should give every query some", name)
	}
	cat, content := scope(tables, nil, bq.SQL)
	got, err := bigQueryRows(ctx, srv, bq.SQL, bq.Args, cat, content)
	if err != nil {
		t.Errorf("report_%s: %v", name, err)
		return
	}
	if diff := compare(want, got); diff != "" {
		t.Errorf("report_%s: BigQuery SQL under ZetaSQL differs from DuckDB:\n%s\n%s", name, diff, bq.SQL)
		return
	} else if !slices.Equal(want.rows, got.rows) {
		// Every query orders its rows totally, and the page shows them in
		// that order (the open requests most urgent first).
		t.Errorf("report_%s: the same rows in another order:\nduckdb   %v\nbigquery %v", name, want.rows, got.rows)
		return
	}
	t.Logf("report_%s: %d rows alike", name, len(want.rows))
}

// bigQueryTable is a published table as BigQuery holds it: without the
// _file and _row columns DuckDB adds to a view over files.
func bigQueryTable(tb table) table {
	out := table{name: tb.name}
	var keep []int
	for i, c := range tb.cols {
		if c != "_file" && c != "_row" {
			keep = append(keep, i)
			out.cols, out.types = append(out.cols, c), append(out.types, tb.types[i])
		}
	}
	for _, row := range tb.cells {
		var cells []string
		for _, i := range keep {
			cells = append(cells, row[i])
		}
		out.cells = append(out.cells, cells)
	}
	return out
}
