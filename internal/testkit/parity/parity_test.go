// Package parity holds the BigQuery SQL of each step to the DuckDB SQL of
// the same step: both run on the same tables and must return the same
// rows, the BigQuery form under ZetaSQL's reference evaluator (Google's
// GoogleSQL semantics) after its analyzer has checked it.
package parity

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/internal/engine"
	"github.com/optout-dev/optout/internal/testkit/casefolder"
	"github.com/optout-dev/optout/internal/testkit/zetasql"
	"github.com/optout-dev/optout/jobs"
	"github.com/optout-dev/optout/transforms"
)

// Every test here needs the ZetaSQL server: without it none runs, and go
// test says so (see zetasql.Main).
func TestMain(m *testing.M) { os.Exit(zetasql.Main(m)) }

// TestStepsMatchDuckDB runs every case folder (testdata/cases) to the end
// of its Transform temp tables on DuckDB, then evaluates each step's
// BigQuery SQL over the DuckDB tables it reads and compares the rows.
// Every step takes part, so a new step cannot skip its BigQuery form.
func TestStepsMatchDuckDB(t *testing.T) {
	srv, fns := zetaServer(t)
	cases, _ := filepath.Glob("../../../testdata/cases/*")
	if len(cases) < 20 {
		t.Fatalf("only %d case folders", len(cases))
	}
	for _, c := range cases {
		t.Run(filepath.Base(c), func(t *testing.T) {
			t.Parallel() // the ZetaSQL server serves calls concurrently
			parityCase(t, srv, fns, c)
		})
	}
}

// zetaServer starts the ZetaSQL server (zetasql.Locate finds it; stopped
// when the test and its subtests end) and defines the BigQuery
// normalization functions in it, each statement analyzed on the way.
func zetaServer(t *testing.T) (*zetasql.Server, []zetasql.Function) {
	t.Helper()
	srv := zetasql.ForTest(t)
	ctx := context.Background()
	macros, err := transforms.MacrosStep(transforms.BigQuery)
	if err != nil {
		t.Fatal(err)
	}
	fns, err := srv.DefineFunctions(ctx, macros.SQL, zetasql.Catalog{})
	if err != nil {
		t.Fatal(err)
	}
	return srv, fns
}

func parityCase(t *testing.T, srv *zetasql.Server, fns []zetasql.Function, dir string) {
	if _, err := os.Stat(filepath.Join(dir, "expected", "exit_code")); err == nil {
		t.Skip("the case fails in its Validate phase, before any step compared here")
	}
	ctx := context.Background()
	cfg, in := inspectCase(t, dir)
	// Two passes. The first compares the steps as the plan makes them
	// (every table copied on BigQuery, as by default), each step whose
	// BigQuery SQL the second pass does not render alike; the second
	// reads the customers and the exports as the BigQuery engine reads a
	// table in place (Source.InPlace, bigquery.read_customers_in_place and
	// read_exports_in_place), after making DuckDB's tables of the steps
	// that read them again in that form. Between the two, DuckDB's
	// outputs in both forms must be the same rows.
	copied := stepsOf(t, in.Plan, transforms.BigQuery)
	inPlace := in.Plan
	inPlace.Customers.InPlace = true
	inPlace.Exports = slices.Clone(in.Plan.Exports)
	for i := range inPlace.Exports {
		inPlace.Exports[i].Src.InPlace = true
	}
	bqInPlace := stepsOf(t, inPlace, transforms.BigQuery)
	var differing []transforms.Step
	for _, s := range copied {
		if other, ok := stepNamed(bqInPlace, s.Name); !ok || other.SQL != s.SQL {
			differing = append(differing, s)
		}
	}
	for _, e := range in.Plan.Exports {
		for _, name := range []string{"export_rows__", "export__", "quarantine__"} {
			if !slices.ContainsFunc(differing, func(s transforms.Step) bool { return s.Name == name+e.Name }) {
				t.Errorf("step %s%s renders alike whether export %s is read in place or copied", name, e.Name, e.Name)
			}
		}
	}
	duckCopied := stepsOf(t, in.Plan, transforms.DuckDB)
	n := compareSteps(t, srv, fns, in, cfg, differing, duckCopied)
	// Reading in place changes how a run reads, never what it writes:
	// every output (and each export's tally) of the copy forms, over the
	// copied tables, to compare with the in-place forms' below.
	copiedOutputs := map[string]result{}
	for _, s := range duckCopied {
		if s.Kind == transforms.Output || strings.HasPrefix(s.Name, "export_tally__") {
			copiedOutputs[s.Name] = duckRows(t, in.Engine, s)
		}
	}

	duckInPlace := stepsOf(t, inPlace, transforms.DuckDB)
	for _, s := range duckInPlace {
		if s.Kind == transforms.Temp && (s.Name == "customer_rows" || strings.HasPrefix(s.Name, "export_rows__") ||
			strings.HasPrefix(s.Name, "export_row_state__") || strings.HasPrefix(s.Name, "export_decisions__") || strings.HasPrefix(s.Name, "export_tally__")) {
			if _, _, err := in.Engine.Run(ctx, s); err != nil {
				t.Fatalf("%s read in place, on DuckDB: %v\n%s", s.Name, err, s.SQL)
			}
		}
	}
	for _, s := range duckInPlace {
		if want, ok := copiedOutputs[s.Name]; ok {
			if diff := compare(want, duckRows(t, in.Engine, s)); diff != "" {
				t.Errorf("step %s: read in place, its rows differ from the copy's (on DuckDB):\n%s\n%s", s.Name, diff, s.SQL)
			}
		}
	}
	n += compareSteps(t, srv, fns, in, cfg, bqInPlace, duckInPlace)
	if n == 0 {
		t.Error("no step compared")
	}
}

// stepsOf renders plan's steps in dialect, in the order they run.
func stepsOf(t *testing.T, plan transforms.Plan, dialect transforms.Dialect) []transforms.Step {
	t.Helper()
	plan.Dialect = dialect
	ph, err := plan.Build()
	if err != nil {
		t.Fatal(err)
	}
	return append(ph.Validate, ph.Transform...)
}

func stepNamed(steps []transforms.Step, name string) (transforms.Step, bool) {
	for _, s := range steps {
		if s.Name == name {
			return s, true
		}
	}
	return transforms.Step{}, false
}

// compareSteps evaluates each BigQuery step over the DuckDB tables as they
// are now and compares its rows with those of the DuckDB step of its name;
// it returns how many it compared.
func compareSteps(t *testing.T, srv *zetasql.Server, fns []zetasql.Function, in *jobs.Inspection, cfg *config.Config, bqSteps, duckSteps []transforms.Step) int {
	t.Helper()
	ctx := context.Background()
	tables := readTables(t, in.Engine)
	for i, tb := range tables {
		if tb.name == transforms.TempName("calendar") {
			tables[i] = ledgerCalendar(t, in.Engine)
		}
	}
	gpp := gppAnswers(t, in.Engine)
	fns = withGPPAnswers(fns, gpp.name)
	n := 0
	for _, s := range bqSteps {
		if s.Kind == transforms.Setup {
			continue // the normalization functions: in every statement's catalog
		}
		d, ok := stepNamed(duckSteps, s.Name)
		if !ok {
			t.Errorf("step %s: no DuckDB step of that name", s.Name)
			continue
		}
		if s.Name == "calendar" {
			s, d = shortCalendar(t, in.Plan, cfg)
		}
		want := duckRows(t, in.Engine, d)
		if s.WrittenView != "" {
			// The leak check reads the export as written: here, the
			// export step's rows on DuckDB, on both sides.
			written := writtenTable(t, in.Engine, d)
			tables = append(tables, written)
		}
		cat, content := scope(append(tables, gpp), fns, s.SQL)
		got, err := bigQueryRows(ctx, srv, s.SQL, s.Args, cat, content)
		if err != nil {
			t.Errorf("step %s: %v", s.Name, err)
			continue
		}
		if diff := compare(want, got); diff != "" {
			t.Errorf("step %s: BigQuery SQL under ZetaSQL differs from DuckDB:\n%s\n%s", s.Name, diff, s.SQL)
		}
		n++
	}
	return n
}

// inspectCase runs a case folder's earlier dates, publishing them (the
// state, ledger and notifications its last date reads), and computes the
// last date's tables on DuckDB; the engine closes when the test ends.
func inspectCase(t *testing.T, dir string) (*config.Config, *jobs.Inspection) {
	t.Helper()
	ctx := context.Background()
	work := caseInputs(t, dir)
	cfg, err := config.Load(filepath.Join(work, "optout.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	runs := caseRuns(t, dir)
	for _, r := range runs[:len(runs)-1] {
		if _, err := jobs.Run(ctx, jobs.RunOptions{Config: cfg, Date: r.date, Now: r.now, Provisional: r.provisional}); err != nil {
			t.Fatalf("run for %s: %v", r.date.Format(time.DateOnly), err)
		}
	}
	date, now := runs[len(runs)-1].date, runs[len(runs)-1].now
	in, err := jobs.Inspect(ctx, jobs.RunOptions{Config: cfg, Date: date, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Engine.Close() })
	return cfg, in
}

// ZetaSQL's reference evaluator joins by nested loops: the calendar of a
// run (every day since 2000, 10,000 rows) would take it minutes per step.
// So the calendar step is compared over a two-year window, rendered for
// both engines, and the ledger reads the days around its own dates; a day
// it needs but misses shows as a difference, never as a pass.

// shortCalendar renders the calendar step over D-1y .. D+1y in both dialects.
func shortCalendar(t *testing.T, plan transforms.Plan, cfg *config.Config) (bigquery, duckdb transforms.Step) {
	t.Helper()
	plan.P.CalendarFrom, plan.P.CalendarTo = plan.P.Date.AddDate(-1, 0, 0), plan.P.Date.AddDate(1, 0, 0)
	plan.P.BusinessDays = transforms.NewCalendar(cfg.Policy.Holidays).BusinessDays(plan.P.CalendarFrom, plan.P.CalendarTo)
	for _, dl := range []transforms.Dialect{transforms.BigQuery, transforms.DuckDB} {
		plan.Dialect = dl
		ph, err := plan.Build()
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range ph.Transform {
			if s.Name == "calendar" && dl == transforms.BigQuery {
				bigquery = s
			} else if s.Name == "calendar" {
				duckdb = s
			}
		}
	}
	return bigquery, duckdb
}

// ledgerCalendar reads the calendar days from two days before the ledger's
// first to two days after its last.
func ledgerCalendar(t *testing.T, eng engine.Steps) table {
	t.Helper()
	ledger := transforms.Ident(transforms.TempName("ledger"))
	return mustReadTable(t, eng, transforms.TempName("calendar"), `day BETWEEN
		(SELECT coalesce(min(CAST(received_at AS DATE)), DATE '2000-01-01') - 2 FROM `+ledger+`)
		AND (SELECT coalesce(max(CAST(greatest(received_at, deadline, first_enforced_at) AS DATE)), DATE '2000-01-01') + 2 FROM `+ledger+`)`)
}

type caseRun struct {
	date, now   time.Time
	provisional bool
}

// caseRuns returns the dates and nows of the case's runs, as the case
// runner reads them.
func caseRuns(t *testing.T, dir string) []caseRun {
	lines, err := casefolder.Runs(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []caseRun
	for _, line := range lines {
		var r caseRun
		f := strings.Fields(line)
		r.provisional = slices.Contains(f, "--provisional")
		for i := 0; i+1 < len(f); i++ {
			var err error
			switch f[i] {
			case "--date":
				r.date, err = time.Parse(time.DateOnly, f[i+1])
			case "--now":
				r.now, err = time.Parse(time.RFC3339, f[i+1])
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if r.date.IsZero() || r.now.IsZero() {
			t.Fatalf("run line %q lacks --date or --now", line)
		}
		out = append(out, r)
	}
	return out
}

const gppTable = "_gpp_answers"

// gppAnswers is the table of transforms.DecodeGPP's answer for every GPP
// string of the case's inputs, trimmed as request_rows trims it.
func gppAnswers(t *testing.T, eng engine.Steps) table {
	tb := table{name: gppTable, cols: []string{"input", "answer"}, types: []sqlType{{kind: "STRING"}, {kind: "STRING"}}}
	for _, r := range query(t, eng, "SELECT table_name FROM information_schema.columns WHERE lower(column_name) = 'gpp' AND table_name LIKE 'src_%'") {
		for _, v := range query(t, eng, "SELECT DISTINCT CAST(gpp AS VARCHAR) AS v FROM "+transforms.Ident(r["table_name"].(string))+" WHERE gpp IS NOT NULL") {
			in := transforms.Trim(v["v"].(string))
			c1, _ := tb.types[0].cell(in)
			c2, _ := tb.types[1].cell(transforms.DecodeGPP(in))
			tb.cells = append(tb.cells, []string{c1, c2})
		}
	}
	return tb
}

// withGPPAnswers stands the Go decoder's answers (table answers) in for
// optout_gpp, a JavaScript function the evaluator cannot run; the
// JavaScript is held to the Go decoder by transforms/gpp_udf_test.go.
func withGPPAnswers(fns []zetasql.Function, answers string) []zetasql.Function {
	out := append([]zetasql.Function{}, fns...)
	for i, f := range out {
		if len(f.Name) == 1 && f.Name[0] == "optout_gpp" {
			out[i].Body = "(SELECT ANY_VALUE(answer) FROM " + answers + " WHERE input = " + f.Args[0] + ")"
		}
	}
	return out
}

// scope is the catalog and content of the tables sql names (and the GPP
// answers, which a function reads): the evaluator's time grows with the
// content it is given.
func scope(tables []table, fns []zetasql.Function, sql string) (zetasql.Catalog, map[string][][]string) {
	cat := zetasql.Catalog{Functions: fns}
	content := map[string][][]string{}
	for _, tb := range tables {
		if strings.Contains(sql, tb.name) || tb.name == gppTable {
			cat.Tables = append(cat.Tables, tb.catalog())
			content[tb.name] = tb.cells
		}
	}
	return cat, content
}
