package parity

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/optout-dev/optout/internal/config"
	bqengine "github.com/optout-dev/optout/internal/engine/bigquery"
	"github.com/optout-dev/optout/internal/engine/duckdb"
	"github.com/optout-dev/optout/internal/testkit/zetasql"
	"github.com/optout-dev/optout/jobs"
	"github.com/optout-dev/optout/transforms"
)

// TestRunsRowMatchesDuckDB: the runs row, rendered for BigQuery, is the
// DuckDB row, for a run with every list filled and for one with none.
func TestRunsRowMatchesDuckDB(t *testing.T) {
	srv, _ := zetaServer(t)
	ctx := context.Background()
	eng, err := duckdb.Open(ctx, config.DuckDB{})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	at := time.Date(2026, 11, 22, 9, 30, 15, 123456000, time.UTC)
	full := transforms.RunRecord{
		RunID: "20261121T093015-abcd", Engine: "duckdb", Version: "v1.2.3", Status: "failed",
		Error: `leak check of "meta": 2 rows; it's ünïcode`, Date: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC),
		Now: at, StartedAt: at.Add(-time.Minute), ExitCode: 1, DurationMS: 61234,
		Inputs: []transforms.FileCount{{Input: "web_form", File: "data/a.parquet", RowsRead: 10, RowsUsed: 7, RowsQuarantined: 2, RowsAfterAsOf: 1, InvalidIdentifiers: 3},
			{Input: "customers", File: `table:crm."cust\\omers" ünï 'x' <&>`, RowsRead: 5, RowsUsed: 5}},
		Outputs:          []transforms.OutputCount{{Table: "customers_flagged", Rows: 5}, {Table: "exports/meta", Rows: 0}},
		Steps:            []transforms.StepTime{{Step: "request_rows__web_form", MS: 12}, {Step: "ledger", MS: 3}},
		Statements:       9,
		LeakChecks:       []transforms.LeakCheck{{Export: "meta", Destination: "meta", Result: "failed", Leaks: 2}, {Export: "ads", Destination: "google_ads", Result: "passed"}},
		LedgerRemoved:    4,
		WriteBackRows:    2,
		RetentionRemoved: []transforms.PartitionCount{{Table: "customers_flagged", Partitions: 3}},
		InputColumns:     []transforms.InputColumn{{Input: "web_form", Column: "status"}, {Input: "customers", Column: "email"}},
		InputValuesGiven: []transforms.InputColumn{{Input: "customers", Column: "email"}, {Input: "customers", Column: "phone"}},
	}
	empty := transforms.RunRecord{RunID: "r2", Engine: "bigquery", Status: "succeeded", Date: full.Date, Now: at, StartedAt: at}
	for name, rec := range map[string]transforms.RunRecord{"full": full, "empty": empty} {
		duck, err := transforms.RunsStep(transforms.DuckDB, rec)
		if err != nil {
			t.Fatal(err)
		}
		bq, err := transforms.RunsStep(transforms.BigQuery, rec)
		if err != nil {
			t.Fatal(err)
		}
		want := duckRows(t, eng, duck)
		got, err := bigQueryRows(ctx, srv, bq.SQL, bq.Args, zetasql.Catalog{}, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if diff := compare(want, got); diff != "" {
			t.Errorf("%s: the runs row differs:\n%s", name, diff)
		}
	}
}

// TestDemoStatementsAnalyze: every statement of a run of the shipped demo
// (six request sources in four formats, identity links, traffic, three
// exports of which two hashed, an earlier date's history, and an earlier
// run of the same date whose notifications are read back) rendered for
// BigQuery passes ZetaSQL's analysis against the demo tables' real types.
// The case folders evaluate the same templates; this covers the demo's
// combination of them.
func TestDemoStatementsAnalyze(t *testing.T) {
	srv, fns := zetaServer(t)
	ctx := context.Background()
	cfg, in := inspectDemo(t, true)
	cat := zetasql.Catalog{Functions: fns}
	for _, tb := range readTables(t, in.Engine) {
		cat.Tables = append(cat.Tables, tb.catalog())
	}
	bq := in.Plan
	bq.Dialect = transforms.BigQuery
	ph, err := bq.Build()
	if err != nil {
		t.Fatal(err)
	}
	duck := map[string]transforms.Step{}
	for _, s := range in.Phases.Transform {
		duck[s.Name] = s
	}
	n := 0
	for _, s := range append(ph.Validate, ph.Transform...) {
		if s.Kind == transforms.Setup {
			continue // the functions, defined above
		}
		if err := srv.Analyze(ctx, s.SQL, cat, s.Args...); err != nil {
			t.Errorf("step %s: %v", s.Name, err)
		}
		if s.WrittenView != "" { // the leak check after it reads the export as written
			cat.Tables = append(cat.Tables, writtenTable(t, in.Engine, duck[s.Name]).catalog())
		}
		n++
	}
	// The dates that ran and the ledger cutoff applied (jobs'
	// succeededDates), on the runs rows as published, and as an older
	// version's, without ledger_cutoff and published.
	runs := mustReadTable(t, in.Engine, "prev_runs", "").catalog()
	older := runs
	older.Columns = slices.DeleteFunc(slices.Clone(runs.Columns), func(c zetasql.Column) bool { return c.Name == "ledger_cutoff" || c.Name == "published" })
	if len(older.Columns) != len(runs.Columns)-2 {
		t.Fatalf("the demo's runs rows lack ledger_cutoff or published: %v", runs.Columns)
	}
	for _, tb := range []zetasql.Table{runs, older} {
		all := len(tb.Columns) == len(runs.Columns)
		dates, err := transforms.SucceededDatesStep(transforms.BigQuery, bq.Scratch, transforms.RunsColumns{LedgerCutoff: all, Published: all})
		if err != nil {
			t.Fatal(err)
		}
		c := cat
		c.Tables = append(slices.DeleteFunc(slices.Clone(cat.Tables), func(x zetasql.Table) bool { return x.Name == tb.Name }), tb)
		if err := srv.Analyze(ctx, dates.SQL, c, dates.Args...); err != nil {
			t.Errorf("succeeded_dates on runs with %d columns: %v", len(tb.Columns), err)
		}
	}
	// The columns each input had and the identifier kinds it gave values
	// of on the latest run that published (jobs' checkInputColumns), on the
	// runs rows as published, and as the version before input_values_given's.
	c := cat
	c.Tables = append(slices.DeleteFunc(slices.Clone(cat.Tables), func(x zetasql.Table) bool { return x.Name == runs.Name }), runs)
	for _, keys := range []bool{true, false} {
		previous, err := transforms.PreviousInputColumnsStep(transforms.BigQuery, bq.Scratch, transforms.RunsColumns{Published: true, InputColumns: true, InputValuesGiven: keys})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(previous.SQL, "input_values_given") != keys {
			t.Errorf("previous_input_columns with input_values_given %v reads it %v", keys, !keys)
		}
		if err := srv.Analyze(ctx, previous.SQL, c, previous.Args...); err != nil {
			t.Errorf("previous_input_columns (input_values_given %v): %v", keys, err)
		}
	}
	// optout explain of a few of the demo's people and requests.
	published, err := in.Engine.ReadPublished(ctx, transforms.PublishedNotifications, "third_party_notifications", "")
	if err != nil {
		t.Fatal(err)
	}
	if published {
		cat.Tables = append(cat.Tables, mustReadTable(t, in.Engine, transforms.PublishedNotifications, "").catalog())
	}
	people, requests := explainSubjects(t, in.Engine)
	for _, p := range append(people[:2], people[len(people)-2:]...) {
		duck, err := in.Plan.ExplainSteps(p[0], p[1])
		if err != nil {
			t.Fatal(err)
		}
		big, err := bq.ExplainSteps(p[0], p[1])
		if err != nil {
			t.Fatal(err)
		}
		n += analyzeExplain(t, srv, cat, in.Engine, duck, big)
	}
	for _, id := range append(requests[:2], requests[len(requests)-2:]...) {
		duck, err := in.Plan.ExplainRequestSteps(id, published)
		if err != nil {
			t.Fatal(err)
		}
		big, err := bq.ExplainRequestSteps(id, published)
		if err != nil {
			t.Fatal(err)
		}
		n += analyzeExplain(t, srv, cat, in.Engine, duck, big)
	}
	if !published {
		t.Error("the demo's two dates published no third-party notification")
	}

	if n < 80+4*12+4*6 { // the run's, and four explanations of each kind
		t.Errorf("only %d statements analyzed", n)
	}
	// The export_manifest rows, staged last.
	var manifested []transforms.Manifested
	for _, e := range cfg.Exports {
		manifested = append(manifested, transforms.Manifested{Export: e.Name, As: transforms.PublishedAs{Destination: e.Destination, Category: e.Category, Identifiers: e.Identifiers}, Rows: 7, PublishedAt: demoNow})
	}
	manifest, err := transforms.ManifestStep(transforms.BigQuery, "20261121T204144-3f800521", manifested)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Analyze(ctx, manifest.SQL, cat, manifest.Args...); err != nil {
		t.Errorf("export_manifest: %v", err)
	}
	// An export's gcs_uri: EXPORT DATA of its staged rows, in either format.
	for i, e := range cfg.Exports {
		format := []string{"csv", "parquet"}[i%2]
		stmt := bqengine.ExportDataSQL("gs://bucket/"+e.Name+"/dt=2026-11-21/part-*."+format, format, "written__"+e.Name)
		if err := srv.Analyze(ctx, stmt, cat); err != nil {
			t.Errorf("EXPORT DATA of %s: %v", e.Name, err)
		}
	}
}

// The demo's date D, and a now after D ended in Los Angeles.
var (
	demoDate = time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	demoNow  = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
)

// inspectDemo computes the shipped demo's tables for demoDate on DuckDB,
// after a run of the day before when history is set (the history and
// previous state a run reads); the engine closes when the test ends.
func inspectDemo(t *testing.T, history bool) (*config.Config, *jobs.Inspection) {
	t.Helper()
	ctx := context.Background()
	cfg, err := config.Load("../../../testdata/demo/optout.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Output = t.TempDir()
	if history { // the day before, and D itself: the inspected run is a rerun
		for _, back := range []int{-1, 0} {
			if _, err := jobs.Run(ctx, jobs.RunOptions{Config: cfg, Date: demoDate.AddDate(0, 0, back), Now: demoNow.AddDate(0, 0, back)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	in, err := jobs.Inspect(ctx, jobs.RunOptions{Config: cfg, Date: demoDate, Now: demoNow})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Engine.Close() })
	return cfg, in
}
