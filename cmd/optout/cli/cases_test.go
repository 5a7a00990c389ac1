package cli

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/optout-dev/optout/internal/testkit/casefolder"
)

// TestCases runs every folder under testdata/cases: it turns inputs/*.sql
// (each a SELECT) into Parquet files, runs optout once per line of `runs`
// (default: one run for 2026-11-21), and compares each expected/<table>.csv
// (only the columns in its header; '__' in the name stands for '/') with the
// rows of that output for the last run's date. expected/exit_code and
// expected/error check a failing run.
func TestCases(t *testing.T) {
	dirs, err := filepath.Glob("../../../testdata/cases/*")
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) < 20 {
		t.Fatalf("only %d case folders", len(dirs))
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) { runCase(t, dir) })
	}
}

func runCase(t *testing.T, dir string) {
	work := t.TempDir()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	mustExec(t, db, "SET TimeZone = 'UTC'")
	if err := casefolder.Prepare(dir, work); err != nil {
		t.Fatal(err)
	}
	runs, err := casefolder.Runs(dir)
	if err != nil {
		t.Fatal(err)
	}
	wantCode := 0
	if b, err := os.ReadFile(filepath.Join(dir, "expected", "exit_code")); err == nil {
		wantCode, _ = strconv.Atoi(strings.TrimSpace(string(b)))
	}
	var code int
	var stderr bytes.Buffer
	var date string
	for i, r := range runs {
		args := append([]string{"run", "--config", filepath.Join(work, "optout.yaml")}, strings.Fields(r)...)
		for j, a := range args {
			if a == "--date" {
				date = args[j+1]
			}
		}
		stderr.Reset()
		code = Run(context.Background(), args, &bytes.Buffer{}, &stderr)
		if i < len(runs)-1 && code != 0 {
			t.Fatalf("run %q: exit %d\n%s", r, code, stderr.String())
		}
	}
	if code != wantCode {
		t.Fatalf("exit code %d, want %d\n%s", code, wantCode, stderr.String())
	}
	if b, err := os.ReadFile(filepath.Join(dir, "expected", "error")); err == nil {
		for _, want := range casefolder.NonEmptyLines(string(b)) {
			if !strings.Contains(stderr.String(), want) {
				t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
			}
		}
	}
	expected, _ := filepath.Glob(filepath.Join(dir, "expected", "*.csv"))
	if wantCode == 0 && len(expected) == 0 {
		t.Fatal("a succeeding case must check at least one output")
	}
	for _, exp := range expected {
		// <table>@<date>.csv checks an earlier run's date; <table>.csv the last run's.
		table, at, found := strings.Cut(strings.TrimSuffix(filepath.Base(exp), ".csv"), "@")
		if !found {
			at = date
		}
		compareTable(t, db, filepath.Join(work, "out"), strings.ReplaceAll(table, "__", "/"), at, exp)
	}
}

func compareTable(t *testing.T, db *sql.DB, out, table, date, expFile string) {
	t.Helper()
	f, err := os.Open(expFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", expFile, err)
	}
	header, want := recs[0], recs[1:]
	dir := filepath.Join(out, table)
	if table != "requests_ledger" && table != "requests_ledger_removed" && table != "runs" {
		dir = filepath.Join(dir, "dt="+date)
	}
	cols := make([]string, len(header))
	for i, h := range header {
		cols[i] = fmt.Sprintf(`coalesce(CAST(%q AS VARCHAR), 'NULL')`, h)
	}
	from := fmt.Sprintf("read_parquet('%s/*.parquet', hive_partitioning = false)", dir)
	if csvs, _ := filepath.Glob(filepath.Join(dir, "*.csv")); len(csvs) > 0 {
		from = fmt.Sprintf("read_csv('%s/*.csv', header = true, all_varchar = true)", dir)
	}
	rows, err := db.Query(fmt.Sprintf("SELECT %s FROM %s", strings.Join(cols, ", "), from))
	if err != nil {
		t.Fatalf("%s: %v", table, err)
	}
	defer rows.Close()
	var got [][]string
	for rows.Next() {
		vals := make([]string, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		got = append(got, vals)
	}
	sortRows(got)
	sortRows(want)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s differs\n got:\n%s\nwant:\n%s", table, formatRows(header, got), formatRows(header, want))
	}
}

func sortRows(rows [][]string) {
	sort.Slice(rows, func(i, j int) bool { return strings.Join(rows[i], "\x00") < strings.Join(rows[j], "\x00") })
}

func formatRows(header []string, rows [][]string) string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write(header)
	w.WriteAll(rows)
	return b.String()
}

func mustExec(t *testing.T, db *sql.DB, q string) {
	t.Helper()
	if _, err := db.Exec(q); err != nil {
		t.Fatalf("%v\n%s", err, q)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// A backfill given one --now publishes every date and first enforces every
// request at that one time: the notifications must still list the earlier
// dates' exports that carried the person (it listed none, as no publish
// time came before an enforcement). Case 65's three dates, as one backfill,
// list what its three nightly runs list.
func TestBackfillWithOneNowNotifiesThirdParties(t *testing.T) {
	dir := "../../../testdata/cases/65_third_party_notifications"
	work := t.TempDir()
	if err := casefolder.Prepare(dir, work); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	args := []string{"backfill", "--config", filepath.Join(work, "optout.yaml"), "--from", "2026-11-18", "--to", "2026-11-20", "--now", "2026-11-26T09:00:00Z"}
	if code := Run(context.Background(), args, &bytes.Buffer{}, &stderr); code != 0 {
		t.Fatalf("backfill: exit %d\n%s", code, stderr.String())
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, at := range []string{"2026-11-18", "2026-11-19", "2026-11-20"} {
		exp := filepath.Join(dir, "expected", "third_party_notifications@"+at+".csv")
		if at == "2026-11-20" {
			exp = filepath.Join(dir, "expected", "third_party_notifications.csv")
		}
		compareTable(t, db, filepath.Join(work, "out"), "third_party_notifications", at, exp)
	}
}

// notesCase is case 65's folder prepared in a work folder, for tests that
// drive their own sequence of runs over it and read its notifications.
type notesCase struct {
	t         *testing.T
	work, cfg string
	db        *sql.DB
}

func newNotesCase(t *testing.T) *notesCase {
	t.Helper()
	c := &notesCase{t: t, work: t.TempDir()}
	if err := casefolder.Prepare("../../../testdata/cases/65_third_party_notifications", c.work); err != nil {
		t.Fatal(err)
	}
	c.cfg = filepath.Join(c.work, "optout.yaml")
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	c.db = db
	return c
}

// optout runs a command on the case's config and fails the test unless it
// succeeds.
func (c *notesCase) optout(args ...string) {
	c.t.Helper()
	var stderr bytes.Buffer
	if code := Run(context.Background(), append(args, "--config", c.cfg), &bytes.Buffer{}, &stderr); code != 0 {
		c.t.Fatalf("optout %v: exit %d\n%s", args, code, stderr.String())
	}
}

// nightly runs each date with --now 09:00 UTC the next morning.
func (c *notesCase) nightly(dates ...string) {
	c.t.Helper()
	for _, d := range dates {
		day, err := time.Parse(time.DateOnly, d)
		if err != nil {
			c.t.Fatal(err)
		}
		c.optout("run", "--date", d, "--now", day.AddDate(0, 0, 1).Add(9*time.Hour).Format(time.RFC3339))
	}
}

// exec runs a statement of the test's own DuckDB (to write input files).
func (c *notesCase) exec(q string) {
	c.t.Helper()
	if _, err := c.db.Exec(q); err != nil {
		c.t.Fatal(err)
	}
}

// requests rewrites the request log: the case's rows that where holds of,
// and the rows of SELECTs more.
func (c *notesCase) requests(where string, more ...string) {
	c.t.Helper()
	file := filepath.Join(c.work, "inputs", "requests.parquet")
	q := fmt.Sprintf("SELECT * FROM read_parquet('%s') WHERE %s", filepath.Join(c.work, "requests_original.parquet"), where)
	if _, err := os.Stat(filepath.Join(c.work, "requests_original.parquet")); err != nil {
		if err := os.Rename(file, filepath.Join(c.work, "requests_original.parquet")); err != nil {
			c.t.Fatal(err)
		}
	}
	for _, m := range more {
		q += " UNION ALL " + m
	}
	c.exec(fmt.Sprintf("COPY (%s) TO '%s' (FORMAT parquet)", q, file))
}

// notes lists date's notifications of the requests where holds of, in
// order: "request export export_dt, ...".
func (c *notesCase) notes(date, where string) string {
	c.t.Helper()
	var got string
	q := fmt.Sprintf(`SELECT coalesce(string_agg(request_id || ' ' || export || ' ' || CAST(dt AS VARCHAR), ', ' ORDER BY request_id, dt, export), '')
	  FROM read_parquet('%s/out/third_party_notifications/dt=%s/*.parquet', hive_partitioning = false) WHERE %s`, c.work, date, where)
	if err := c.db.QueryRow(q).Scan(&got); err != nil {
		c.t.Fatal(err)
	}
	return got
}

// TestLateRequestNotifiesTheLaterExports: a request that reaches the logs
// after the runs of its receipt day and of the days after it went out in
// each of those days' exports. Enforced first by `backfill --force` from
// its receipt, it is notified against all of them, not only the export
// of the date that enforced it; the later dates' reruns do not list it
// again (11 CCR §7026(f)(2)).
func TestLateRequestNotifiesTheLaterExports(t *testing.T) {
	c := newNotesCase(t)
	// dave (d@example.com, exported every day, no customer) opts out on
	// 18 Nov; the row lands after the nightly runs of 18-20 Nov. r4, his
	// other request, is left out: it would be first enforced on its own.
	late := "SELECT 'r5', TIMESTAMP '2026-11-18 18:00:00', TIMESTAMP '2026-11-18 18:00:00', 'opt_out', NULL, 'verified', 'd@example.com', NULL"
	c.requests("request_id <> 'r4'")
	c.nightly("2026-11-18", "2026-11-19", "2026-11-20")
	c.requests("request_id <> 'r4'", late)
	c.optout("backfill", "--from", "2026-11-18", "--to", "2026-11-20", "--force", "--now", "2026-11-22T09:00:00Z")
	if got, want := c.notes("2026-11-18", "request_id = 'r5'"), "r5 aud 2026-11-18, r5 fb 2026-11-18, r5 aud 2026-11-19, r5 fb 2026-11-19, r5 aud 2026-11-20, r5 fb 2026-11-20"; got != want {
		t.Errorf("notifications of the run that first enforced the late request:\n got %s\nwant %s", got, want)
	}
	for _, d := range []string{"2026-11-19", "2026-11-20"} {
		if got := c.notes(d, "request_id = 'r5'"); got != "" {
			t.Errorf("notifications of %s list the late request again: %s", d, got)
		}
	}
}

// TestBackfilledEarlierExportsAreNotNotified: a backfill that writes the
// exports of dates before the first nightly run writes them after the
// opt-outs those nightly runs enforced. They are that date's record and
// are not sent (README), so a rerun of an enforcing date does not list
// them as exports that went out with the person: it lists what the
// nightly run listed.
func TestBackfilledEarlierExportsAreNotNotified(t *testing.T) {
	c := newNotesCase(t)
	// Nightly from 19 Nov: r1 (alice, received 18 Nov) is first enforced
	// on 19 Nov, r4 (dave, received 18 Nov) on 20 Nov; no export of 18 Nov
	// exists yet.
	c.nightly("2026-11-19", "2026-11-20")
	nightly := map[string]string{"2026-11-19": c.notes("2026-11-19", "true"), "2026-11-20": c.notes("2026-11-20", "true")}
	if want := "r2 aud 2026-11-19, r2 fb 2026-11-19, r4 aud 2026-11-19, r4 fb 2026-11-19"; nightly["2026-11-20"] != want {
		t.Fatalf("nightly notifications of 20 Nov:\n got %s\nwant %s", nightly["2026-11-20"], want)
	}
	c.optout("backfill", "--from", "2026-11-18", "--to", "2026-11-20", "--force", "--now", "2026-11-25T09:00:00Z")
	for date, want := range nightly {
		if got := c.notes(date, "true"); got != want {
			t.Errorf("notifications of %s after the backfill wrote 18 Nov's exports:\n got %s\nwant %s (as the nightly run)", date, got, want)
		}
	}
}

// TestNotificationsWithEveryExportRemoved: a config whose exports were
// all removed still lists the third parties of the exports published
// before; the run wrote no notifications at all, and its requests, first
// enforced then, were never notified.
func TestNotificationsWithEveryExportRemoved(t *testing.T) {
	c := newNotesCase(t)
	c.nightly("2026-11-18", "2026-11-19")
	b, err := os.ReadFile(c.cfg)
	if err != nil {
		t.Fatal(err)
	}
	conf, _, _ := strings.Cut(string(b), "exports:")
	if err := os.WriteFile(c.cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	c.nightly("2026-11-20")
	compareTable(t, c.db, filepath.Join(c.work, "out"), "third_party_notifications", "2026-11-20", "../../../testdata/cases/65_third_party_notifications/expected/third_party_notifications.csv")
}

// TestDayBeforesExportPublishedAfterTheReceipt: a nightly export goes
// out the morning after its date. A person who asked after midnight, before
// it went out, was in it: the notifications list it. One who asked after
// it went out was not sent in it.
func TestDayBeforesExportPublishedAfterTheReceipt(t *testing.T) {
	c := newNotesCase(t)
	// dave (exported every day, no customer) asks on 19 Nov in Los
	// Angeles: r5 at 00:30 (08:30 UTC), before the export of 18 Nov went
	// out at 09:00 UTC; r6 at 01:30 (09:30 UTC), after it.
	c.requests("request_id <> 'r4'",
		"SELECT 'r5', TIMESTAMP '2026-11-19 08:30:00', TIMESTAMP '2026-11-19 08:30:00', 'opt_out', NULL, 'verified', 'd@example.com', NULL",
		"SELECT 'r6', TIMESTAMP '2026-11-19 09:30:00', TIMESTAMP '2026-11-19 09:30:00', 'opt_out', NULL, 'verified', 'd@example.com', NULL")
	c.nightly("2026-11-18", "2026-11-19")
	if got, want := c.notes("2026-11-19", "request_id IN ('r5', 'r6')"), "r5 aud 2026-11-18, r5 fb 2026-11-18"; got != want {
		t.Errorf("notifications of the requests received on 19 Nov:\n got %s\nwant %s", got, want)
	}
}
