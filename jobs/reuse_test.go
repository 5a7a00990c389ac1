//go:build !no_duckdb

package jobs

import (
	"bytes"
	"context"
	"database/sql"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/internal/testkit/casefolder"
	"github.com/optout-dev/optout/transforms"
)

// A backfill computes the customer rows once while the customers file
// stays as it is, and again as soon as it changes: here, between the first
// and the second date, bob's record takes alice's email, so bob is opted
// out from the second date on.
func TestBackfillReusesTablesUntilTheirInputChanges(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out, sum := backfillCase01(t, func(work string) {
		customers := filepath.Join(work, "inputs", "customers.parquet")
		q := `COPY (SELECT * REPLACE (CASE customer_id WHEN 'C2' THEN 'alice@example.com' ELSE email END AS email)
			FROM read_parquet('` + customers + `')) TO '` + customers + `.new' (FORMAT parquet)`
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`COPY (FROM read_parquet('` + customers + `.new')) TO '` + customers + `' (FORMAT parquet)`); err != nil {
			t.Fatal(err)
		}
	})
	for dt, want := range map[string]bool{"2026-11-21": false, "2026-11-22": true, "2026-11-23": true} {
		var got bool
		q := `SELECT ccpa_opt_out FROM read_parquet('` + filepath.Join(out, "customers_flagged", "dt="+dt, "*.parquet") + `') WHERE customer_id = 'C2'`
		if err := db.QueryRow(q).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s: bob (C2) ccpa_opt_out = %v, want %v", dt, got, want)
		}
	}
	// A kept check still accounts for every row of every file.
	for _, dt := range []string{"2026-11-21", "2026-11-22", "2026-11-23"} {
		var files, read int64
		q := `SELECT count(*), sum(i.rows_read) FROM (SELECT unnest(inputs) AS i FROM read_parquet('` + filepath.Join(out, "runs", "*.parquet") + `')
			WHERE dt = ?) WHERE i.input = 'customers'`
		if err := db.QueryRow(q, dt).Scan(&files, &read); err != nil {
			t.Fatal(err)
		}
		if files != 1 || read != 3 {
			t.Errorf("%s: customers counted in %d files, %d rows read; want 1 file, 3 rows", dt, files, read)
		}
	}
	// Which steps each date ran and which it reused.
	for dt, want := range map[string]string{
		"2026-11-21": "calendar customer_duplicates customer_keys customer_rows input_counts__customers input_counts__web macros request_rows__web",
		"2026-11-22": "calendar (reused) customer_duplicates customer_keys customer_rows input_counts__customers input_counts__web macros (reused) request_rows__web (reused)",
		"2026-11-23": "calendar (reused) customer_duplicates (reused) customer_keys customer_rows (reused) input_counts__customers (reused) input_counts__web macros (reused) request_rows__web (reused)",
	} {
		var got string
		q := `SELECT string_agg(s.step, ' ' ORDER BY s.step) FROM (SELECT unnest(steps) AS s FROM read_parquet('` + filepath.Join(out, "runs", "*.parquet") + `')
			WHERE dt = ?) WHERE regexp_matches(s.step, '^(customer_(rows|keys|duplicates)|request_rows|input_counts|calendar|macros)')`
		if err := db.QueryRow(q, dt).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s ran %q, want %q", dt, got, want)
		}
	}
	// The summary counts what the runs rows record.
	var executed, reused int
	q := `SELECT count(*) FILTER (NOT s.step LIKE '% (reused)'), count(*) FILTER (s.step LIKE '% (reused)')
		FROM (SELECT unnest(steps) AS s FROM read_parquet('` + filepath.Join(out, "runs", "*.parquet") + `'))`
	if err := db.QueryRow(q).Scan(&executed, &reused); err != nil {
		t.Fatal(err)
	}
	if reused == 0 || sum.StepsExecuted != executed || sum.StepsReused != reused {
		t.Errorf("summary: %d steps executed, %d reused; the runs rows: %d and %d", sum.StepsExecuted, sum.StepsReused, executed, reused)
	}
}

// A file rewritten in place with its size and modification time kept (an
// edit copied in with `cp -p`, `rsync -a` or `touch -r`) is another
// version: here, before the second date, alice's and bob's emails trade
// places (same bytes, so the same size) and the file's time is set back.
// Kept on its size and time alone, the first date's customer rows still
// gave alice's opted-out email to C1, and bob (C2), who now has it, was
// exported with exit 0.
func TestBackfillRereadsAFileRewrittenWithItsSizeAndTimeKept(t *testing.T) {
	db := openDuck(t)
	out, _ := backfillCase01(t, func(work string) {
		customers := filepath.Join(work, "inputs", "customers.parquet")
		before, err := os.Stat(customers)
		if err != nil {
			t.Fatal(err)
		}
		q := `COPY (SELECT * REPLACE (CASE customer_id WHEN 'C1' THEN 'bob@example.com' WHEN 'C2' THEN 'alice@example.com' ELSE email END AS email)
			FROM read_parquet('` + customers + `')) TO '` + customers + `.new' (FORMAT parquet)`
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
		edited, err := os.ReadFile(customers + ".new")
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(edited)) != before.Size() {
			t.Fatalf("the edited customers file has %d bytes, the original %d: the test needs an edit of the same size", len(edited), before.Size())
		}
		if err := os.WriteFile(customers, edited, 0o600); err != nil { // in place: the same inode
			t.Fatal(err)
		}
		if err := os.Chtimes(customers, before.ModTime(), before.ModTime()); err != nil {
			t.Fatal(err)
		}
	})
	for _, c := range []struct {
		dt, customer string
		want         bool
	}{
		{"2026-11-21", "C1", true}, {"2026-11-21", "C2", false},
		{"2026-11-22", "C1", false}, {"2026-11-22", "C2", true},
		{"2026-11-23", "C1", false}, {"2026-11-23", "C2", true},
	} {
		var got bool
		q := `SELECT ccpa_opt_out FROM read_parquet('` + filepath.Join(out, "customers_flagged", "dt="+c.dt, "*.parquet") + `') WHERE customer_id = ?`
		if err := db.QueryRow(q, c.customer).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("%s: %s ccpa_opt_out = %v, want %v", c.dt, c.customer, got, c.want)
		}
	}
}

// The steps a backfill may keep read no other step's table (Step.OnlyInput)
// or only the tables of other steps it keeps (Step.OnlyTables), and render
// the same SQL and arguments for any date and now: their input's files, or
// those tables, are then all they depend on.
func TestReusableStepsDependOnTheirInputAlone(t *testing.T) {
	cfg, err := config.Load("../testdata/demo/optout.yaml")
	if err != nil {
		t.Fatal(err)
	}
	plan := func(date string) transforms.Phases {
		d, _ := time.Parse(time.DateOnly, date)
		p, err := Plan(context.Background(), RunOptions{Config: cfg, Date: d, Now: d.Add(36 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		return p.Phases
	}
	p1, p2 := plan("2026-11-21"), plan("2026-11-22")
	first, later := append(p1.Validate, p1.Transform...), append(p2.Validate, p2.Transform...)
	// A kept check gives its rows to the input checks; the Transform
	// phase's checks (leak checks) act on theirs, and must always run.
	for _, s := range p1.Transform {
		if s.Kind == transforms.Check && (s.OnlyInput != "" || len(s.OnlyTables) > 0 || s.ReadsNothing) {
			t.Errorf("%s: a Transform check may not be kept", s.Name)
		}
	}
	var reusable []string
	kept := map[string]bool{}
	for i, s := range first {
		if s.OnlyInput == "" && len(s.OnlyTables) == 0 && !s.ReadsNothing {
			continue
		}
		reusable = append(reusable, s.Name)
		kept[s.Table] = true
		for _, o := range first {
			if o.Kind == transforms.Temp && o.Table != s.Table && !slices.Contains(s.OnlyTables, o.Table) && strings.Contains(s.SQL, transforms.TempName(o.Table)) {
				t.Errorf("%s (reusable) reads %s", s.Name, o.Table)
			}
		}
		for _, o := range s.OnlyTables {
			if !kept[o] {
				t.Errorf("%s (reusable) reads %s, which is not kept before it", s.Name, o)
			}
		}
		// No view but its own input's: no other input, no earlier output.
		sql := s.SQL
		if s.OnlyInput != "" {
			sql = strings.ReplaceAll(sql, transforms.Ident("src_"+s.OnlyInput), "")
		}
		for _, view := range []string{"src_", "prev_", "history__"} {
			if strings.Contains(sql, view) {
				t.Errorf("%s (reusable, input %q) names a %s view:\n%s", s.Name, s.OnlyInput, view, s.SQL)
			}
		}
		if l := later[i]; l.Name != s.Name || l.SQL != s.SQL || !reflect.DeepEqual(l.Args, s.Args) {
			t.Errorf("%s renders differently for another date:\n%s %v\n%s %v", s.Name, s.SQL, s.Args, l.SQL, l.Args)
		}
	}
	want := "macros request_rows__web_form request_rows__preference_center request_rows__gpc adapt__xdm request_rows__xdm adapt__campaign request_rows__campaign adapt__pixel request_rows__pixel " +
		"customer_rows input_counts__customers files_missing_customer_id customer_duplicates link_rows input_counts__identity_links quarantined__identity_links " +
		// Traffic's counts and quarantine depend on D: a day after D is a
		// later date's.
		"traffic_rows " +
		"export_rows__google_ads_audience input_counts__google_ads_audience export_rows__meta_audience input_counts__meta_audience " +
		"export_rows__partner_list_rental input_counts__partner_list_rental quarantine__customers quarantine__identity_links calendar " +
		"quarantine__google_ads_audience quarantine__meta_audience quarantine__partner_list_rental"
	if strings.Join(reusable, " ") != want {
		t.Errorf("reusable steps: %v, want %s", reusable, want)
	}
}

// A kept output is copied from the file an earlier date published, and
// only while that file is as written: here the first date's quarantine of
// the customers is touched before the second date, which then writes its
// own; the third date copies the second's.
func TestBackfillCopiesKeptOutputsOnlyWhileUnchanged(t *testing.T) {
	quarantine := func(out, dt string) string {
		return filepath.Join(out, "quarantine", "customers", "dt="+dt, "part-0.parquet")
	}
	out, _ := backfillCase01(t, func(work string) {
		later := time.Now().Add(time.Hour)
		if err := os.Chtimes(quarantine(filepath.Join(work, "out"), "2026-11-21"), later, later); err != nil {
			t.Fatal(err)
		}
	})
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for dt, want := range map[string]string{"2026-11-21": "quarantine__customers", "2026-11-22": "quarantine__customers", "2026-11-23": "quarantine__customers (reused)"} {
		var got string
		var rows int64
		q := `SELECT (SELECT s.step FROM unnest(steps) t(s) WHERE s.step LIKE 'quarantine\_\_customers%' ESCAPE '\'),
			(SELECT o.rows FROM unnest(outputs) t(o) WHERE o."table" = 'quarantine/customers')
			FROM read_parquet('` + filepath.Join(out, "runs", "*.parquet") + `') WHERE dt = ?`
		if err := db.QueryRow(q, dt).Scan(&got, &rows); err != nil {
			t.Fatal(err)
		}
		if got != want || rows != 0 {
			t.Errorf("%s: %q with %d rows, want %q with 0 rows (case 01 quarantines no customer)", dt, got, rows, want)
		}
	}
	a, errA := os.ReadFile(quarantine(out, "2026-11-22"))
	b, errB := os.ReadFile(quarantine(out, "2026-11-23"))
	if errA != nil || errB != nil || len(a) == 0 || !bytes.Equal(a, b) {
		t.Errorf("the copied quarantine (%d bytes, %v) differs from the one it copies (%d bytes, %v)", len(b), errB, len(a), errA)
	}
	var n int64
	if err := db.QueryRow(`SELECT count(*) FROM read_parquet('` + quarantine(out, "2026-11-23") + `')`).Scan(&n); err != nil || n != 0 {
		t.Errorf("copied quarantine: %d rows, %v; want a readable file with 0 rows", n, err)
	}
}

// backfillCase01 backfills test case 01 from 2026-11-21 to 2026-11-23,
// calling beforeSecond with the case's folder before the second date, and
// returns the output folder and the backfill's summary.
func backfillCase01(t *testing.T, beforeSecond func(work string)) (string, BackfillSummary) {
	t.Helper()
	work, cfg := prepareCase(t, "01_basic_opt_out")
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	sum, err := Backfill(context.Background(), BackfillOptions{
		RunOptions: RunOptions{Config: cfg, Now: day("2026-11-24").Add(12 * time.Hour)},
		From:       day("2026-11-21"), To: day("2026-11-23"),
		OnDate: func(_, _ int, dt string) {
			if dt == "2026-11-22" {
				beforeSecond(work)
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(work, "out"), sum
}

// runAt runs cfg for date (YYYY-MM-DD) at now (RFC 3339), logging to log
// (nil: nowhere), and fails the test when the run fails.
func runAt(t *testing.T, cfg *config.Config, date, now string, log *slog.Logger) {
	t.Helper()
	d, derr := time.Parse(time.DateOnly, date)
	n, nerr := time.Parse(time.RFC3339, now)
	if derr != nil || nerr != nil {
		t.Fatalf("run for %s at %s: %v %v", date, now, derr, nerr)
	}
	if _, err := Run(context.Background(), RunOptions{Config: cfg, Date: d, Now: n, Log: log}); err != nil {
		t.Fatalf("run for %s: %v", date, err)
	}
}

// openDuck opens an in-memory DuckDB for a test to read outputs with.
func openDuck(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// prepareCase prepares test case folder name (testdata/cases) in a
// temporary folder, as the case runner does, and loads its config.
func prepareCase(t *testing.T, name string) (string, *config.Config) {
	t.Helper()
	work := t.TempDir()
	if err := casefolder.Prepare(filepath.Join("../testdata/cases", name), work); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(filepath.Join(work, "optout.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return work, cfg
}
