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

// TestLateRequestNotifiesTheLaterExports: a request that reaches the logs
// after the runs of its receipt day and of the days after it went out in
// each of those days' exports. Enforced first by `backfill --force` from
// its receipt, it is notified against all of them, not only the export
// of the date that enforced it; the later dates' reruns do not list it
// again (11 CCR §7026(f)(2)).
func TestLateRequestNotifiesTheLaterExports(t *testing.T) {
	dir := "../../../testdata/cases/65_third_party_notifications"
	work := t.TempDir()
	if err := casefolder.Prepare(dir, work); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	requests := filepath.Join(work, "inputs", "requests.parquet")
	full := filepath.Join(work, "requests_with_late.parquet")
	// dave (d@example.com, exported every day, no customer) opts out on
	// 18 Nov; the row lands after the nightly runs of 18-20 Nov. r4, his
	// other request, is left out: it would be first enforced on its own.
	for _, q := range []string{
		fmt.Sprintf(`COPY (SELECT * FROM read_parquet('%s') WHERE request_id <> 'r4'
		  UNION ALL SELECT 'r5', TIMESTAMP '2026-11-18 18:00:00', TIMESTAMP '2026-11-18 18:00:00', 'opt_out', NULL, 'verified', 'd@example.com', NULL)
		  TO '%s' (FORMAT parquet)`, requests, full),
		fmt.Sprintf(`COPY (SELECT * FROM read_parquet('%s') WHERE request_id NOT IN ('r4', 'r5')) TO '%s' (FORMAT parquet)`, full, requests),
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	cfg := filepath.Join(work, "optout.yaml")
	optout := func(args ...string) {
		t.Helper()
		var stderr bytes.Buffer
		if code := Run(context.Background(), append(args, "--config", cfg), &bytes.Buffer{}, &stderr); code != 0 {
			t.Fatalf("optout %v: exit %d\n%s", args, code, stderr.String())
		}
	}
	for _, d := range [][2]string{{"2026-11-18", "2026-11-19T09:00:00Z"}, {"2026-11-19", "2026-11-20T09:00:00Z"}, {"2026-11-20", "2026-11-21T09:00:00Z"}} {
		optout("run", "--date", d[0], "--now", d[1]) // nightly
	}
	if err := os.Rename(full, requests); err != nil {
		t.Fatal(err)
	}
	optout("backfill", "--from", "2026-11-18", "--to", "2026-11-20", "--force", "--now", "2026-11-22T09:00:00Z")
	notes := func(date string) string {
		t.Helper()
		var got string
		q := fmt.Sprintf(`SELECT coalesce(string_agg(request_id || ' ' || export || ' ' || CAST(dt AS VARCHAR), ', ' ORDER BY request_id, dt, export), '')
		  FROM read_parquet('%s/out/third_party_notifications/dt=%s/*.parquet', hive_partitioning = false) WHERE request_id = 'r5'`, work, date)
		if err := db.QueryRow(q).Scan(&got); err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got, want := notes("2026-11-18"), "r5 aud 2026-11-18, r5 fb 2026-11-18, r5 aud 2026-11-19, r5 fb 2026-11-19, r5 aud 2026-11-20, r5 fb 2026-11-20"; got != want {
		t.Errorf("notifications of the run that first enforced the late request:\n got %s\nwant %s", got, want)
	}
	for _, d := range []string{"2026-11-19", "2026-11-20"} {
		if got := notes(d); got != "" {
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
	dir := "../../../testdata/cases/65_third_party_notifications"
	work := t.TempDir()
	if err := casefolder.Prepare(dir, work); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(work, "optout.yaml")
	optout := func(args ...string) {
		t.Helper()
		var stderr bytes.Buffer
		if code := Run(context.Background(), append(args, "--config", cfg), &bytes.Buffer{}, &stderr); code != 0 {
			t.Fatalf("optout %v: exit %d\n%s", args, code, stderr.String())
		}
	}
	// Nightly from 19 Nov: r1 (alice, received 18 Nov) is first enforced
	// on 19 Nov, r4 (dave, received 18 Nov) on 20 Nov; no export of 18 Nov
	// exists yet.
	optout("run", "--date", "2026-11-19", "--now", "2026-11-20T09:00:00Z")
	optout("run", "--date", "2026-11-20", "--now", "2026-11-21T09:00:00Z")
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	notes := func(date string) string {
		t.Helper()
		var got string
		q := fmt.Sprintf(`SELECT coalesce(string_agg(request_id || ' ' || export || ' ' || CAST(dt AS VARCHAR), ', ' ORDER BY request_id, dt, export), '')
		  FROM read_parquet('%s/out/third_party_notifications/dt=%s/*.parquet', hive_partitioning = false)`, work, date)
		if err := db.QueryRow(q).Scan(&got); err != nil {
			t.Fatal(err)
		}
		return got
	}
	nightly := map[string]string{"2026-11-19": notes("2026-11-19"), "2026-11-20": notes("2026-11-20")}
	if want := "r2 aud 2026-11-19, r2 fb 2026-11-19, r4 aud 2026-11-19, r4 fb 2026-11-19"; nightly["2026-11-20"] != want {
		t.Fatalf("nightly notifications of 20 Nov:\n got %s\nwant %s", nightly["2026-11-20"], want)
	}
	optout("backfill", "--from", "2026-11-18", "--to", "2026-11-20", "--force", "--now", "2026-11-25T09:00:00Z")
	for date, want := range nightly {
		if got := notes(date); got != want {
			t.Errorf("notifications of %s after the backfill wrote 18 Nov's exports:\n got %s\nwant %s (as the nightly run)", date, got, want)
		}
	}
}

// TestNotificationsWithEveryExportRemoved: a config whose exports were
// all removed still lists the third parties of the exports published
// before; the run wrote no notifications at all, and its requests, first
// enforced then, were never notified.
func TestNotificationsWithEveryExportRemoved(t *testing.T) {
	dir := "../../../testdata/cases/65_third_party_notifications"
	work := t.TempDir()
	if err := casefolder.Prepare(dir, work); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(work, "optout.yaml")
	optout := func(args ...string) {
		t.Helper()
		var stderr bytes.Buffer
		if code := Run(context.Background(), append(args, "--config", cfg), &bytes.Buffer{}, &stderr); code != 0 {
			t.Fatalf("optout %v: exit %d\n%s", args, code, stderr.String())
		}
	}
	optout("run", "--date", "2026-11-18", "--now", "2026-11-19T09:00:00Z")
	optout("run", "--date", "2026-11-19", "--now", "2026-11-20T09:00:00Z")
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	conf, _, _ := strings.Cut(string(b), "exports:")
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	optout("run", "--date", "2026-11-20", "--now", "2026-11-21T09:00:00Z")
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	compareTable(t, db, filepath.Join(work, "out"), "third_party_notifications", "2026-11-20", filepath.Join(dir, "expected", "third_party_notifications.csv"))
}

// TestDayBeforesExportPublishedAfterTheReceipt: a nightly export goes
// out the morning after its date. A person who asked after midnight, before
// it went out, was in it: the notifications list it. One who asked after
// it went out was not sent in it.
func TestDayBeforesExportPublishedAfterTheReceipt(t *testing.T) {
	dir := "../../../testdata/cases/65_third_party_notifications"
	work := t.TempDir()
	if err := casefolder.Prepare(dir, work); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	requests := filepath.Join(work, "inputs", "requests.parquet")
	more := filepath.Join(work, "requests_more.parquet")
	// dave (exported every day, no customer) asks on 19 Nov in Los
	// Angeles: r5 at 00:30 (08:30 UTC), before the export of 18 Nov went
	// out at 09:00 UTC; r6 at 01:30 (09:30 UTC), after it.
	q := fmt.Sprintf(`COPY (SELECT * FROM read_parquet('%s') WHERE request_id <> 'r4'
	  UNION ALL SELECT 'r5', TIMESTAMP '2026-11-19 08:30:00', TIMESTAMP '2026-11-19 08:30:00', 'opt_out', NULL, 'verified', 'd@example.com', NULL
	  UNION ALL SELECT 'r6', TIMESTAMP '2026-11-19 09:30:00', TIMESTAMP '2026-11-19 09:30:00', 'opt_out', NULL, 'verified', 'd@example.com', NULL)
	  TO '%s' (FORMAT parquet)`, requests, more)
	if _, err := db.Exec(q); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(more, requests); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(work, "optout.yaml")
	for _, d := range [][2]string{{"2026-11-18", "2026-11-19T09:00:00Z"}, {"2026-11-19", "2026-11-20T09:00:00Z"}} {
		var stderr bytes.Buffer
		if code := Run(context.Background(), []string{"run", "--config", cfg, "--date", d[0], "--now", d[1]}, &bytes.Buffer{}, &stderr); code != 0 {
			t.Fatalf("run %s: exit %d\n%s", d[0], code, stderr.String())
		}
	}
	var got string
	q = fmt.Sprintf(`SELECT coalesce(string_agg(request_id || ' ' || export || ' ' || CAST(dt AS VARCHAR), ', ' ORDER BY request_id, dt, export), '')
	  FROM read_parquet('%s/out/third_party_notifications/dt=2026-11-19/*.parquet', hive_partitioning = false) WHERE request_id IN ('r5', 'r6')`, work)
	if err := db.QueryRow(q).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if want := "r5 aud 2026-11-18, r5 fb 2026-11-18"; got != want {
		t.Errorf("notifications of the requests received on 19 Nov:\n got %s\nwant %s", got, want)
	}
}
