//go:build bqemulator

package bigquery

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/bigquery"
	"google.golang.org/api/option"

	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/internal/engine"
	"github.com/optout-dev/optout/internal/exit"
	"github.com/optout-dev/optout/internal/testkit/bqemu"
	"github.com/optout-dev/optout/internal/testkit/normtest"
	"github.com/optout-dev/optout/transforms"
)

// These tests run the real client against github.com/goccy/bigquery-emulator
// v0.6.6, started as a process on 127.0.0.1 by internal/testkit/bqemu (.ci/run
// builds it with clang and runs them with -tags bqemulator).

func emulator(t *testing.T) *Client {
	t.Helper()
	c, err := New(context.Background(), config.BigQuery{Project: bqemu.Project, Dataset: bqemu.Dataset, Location: "US", Endpoint: bqemu.Start(t)},
		"20261121T000000-test", "2026-11-21", option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.Backoff = nil // the emulator reports its own failures as internal errors: no retries
	return c
}

// TestEmulatorPerDateReplace: a partitioned table created through the API
// (twice: the second is a no-op), a date replaced in one transaction
// (DELETE of the partition, INSERT of its rows), the replace run again
// (idempotent), another date beside it, and 25,000 rows read back page by
// page.
func TestEmulatorPerDateReplace(t *testing.T) {
	c := emulator(t)
	ctx := context.Background()
	schema := bigquery.Schema{{Name: "customer_id", Type: bigquery.StringFieldType}, {Name: "ccpa_opt_out", Type: bigquery.BooleanFieldType}}
	for i := 0; i < 2; i++ {
		if err := c.EnsureDateTable(ctx, "optout_state", schema, []string{"customer_id"}); err != nil {
			t.Fatal(err)
		}
	}
	replace := func(dt string, n int) {
		t.Helper()
		sql := fmt.Sprintf(`BEGIN TRANSACTION;
DELETE FROM optout.optout_state WHERE dt = DATE '%[1]s';
INSERT INTO optout.optout_state (dt, customer_id, ccpa_opt_out)
SELECT DATE '%[1]s', CONCAT('c', CAST(n AS STRING)), MOD(n, 3) = 0 FROM UNNEST(GENERATE_ARRAY(1, %[2]d)) AS n;
COMMIT TRANSACTION;`, dt, n)
		res, err := c.Exec(ctx, "optout_state", sql)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(res.JobID, "optout_optout_state_") {
			t.Errorf("job ID %q lacks the optout_<step>_ prefix", res.JobID)
		}
	}
	replace("2026-11-21", 25000)
	replace("2026-11-21", 25000) // a rerun of the date replaces, never appends
	replace("2026-11-20", 10)
	res, err := c.Query(ctx, "read", "SELECT dt, customer_id, ccpa_opt_out FROM optout.optout_state WHERE dt = DATE '2026-11-21'")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 25000 {
		t.Fatalf("read %d rows of 2026-11-21, want 25000", len(res.Rows))
	}
	seen := map[string]bool{}
	for _, r := range res.Rows {
		seen[r["customer_id"].(string)] = true
	}
	if len(seen) != 25000 {
		t.Errorf("%d distinct customers, want 25000", len(seen))
	}
	counts, err := c.Query(ctx, "count", "SELECT dt, COUNT(*) AS n FROM optout.optout_state GROUP BY dt ORDER BY dt")
	if err != nil {
		t.Fatal(err)
	}
	if len(counts.Rows) != 2 || counts.Rows[0]["n"] != int64(10) || counts.Rows[1]["n"] != int64(25000) {
		t.Errorf("rows per date: %v, want 10 on 2026-11-20 and 25000 on 2026-11-21", counts.Rows)
	}
}

// TestEmulatorNormalization: the BigQuery normalization functions, made
// and called as the engine does (functions of the scratch dataset), give
// the Go reference's keys on the emulator (ASCII inputs: the emulator runs
// GoogleSQL on SQLite; internal/testkit/zetasql holds the functions to the
// reference on every input under Google's own evaluator).
func TestEmulatorNormalization(t *testing.T) {
	ctx := context.Background()
	e, err := Open(ctx, config.BigQuery{Project: bqemu.Project, Dataset: bqemu.Dataset, Location: "US", Endpoint: bqemu.Start(t)},
		"20261121T000000-norm", "2026-11-21", option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	e.Backoff = nil
	macros, err := transforms.MacrosStep(transforms.BigQuery)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.Run(ctx, macros); err != nil {
		t.Fatal(err)
	}
	var inputs []string
	for _, raw := range normtest.Nasty() {
		if !strings.ContainsFunc(raw, func(r rune) bool { return r > 0x7e || r < 0x20 }) {
			inputs = append(inputs, raw)
		}
	}
	if len(inputs) < 40 {
		t.Fatalf("only %d ASCII inputs", len(inputs))
	}
	// One query for every input: the inputs are literals, since the
	// emulator mistypes a positional STRING parameter after the functions.
	var rows []string
	for i, raw := range inputs {
		rows = append(rows, fmt.Sprintf("STRUCT(%d AS i, %s AS x)", i, transforms.BigQuery.Literal(raw)))
	}
	q := "SELECT i, optout_email(x) AS email, optout_phone(x) AS phone, optout_hash(x) AS hashed, optout_id(x) AS id, optout_device(x) AS device, optout_state(x) AS state, CAST(optout_invalid(x, CAST(NULL AS STRING)) AS STRING) AS given FROM UNNEST([" +
		strings.Join(rows, ", ") + "]) ORDER BY i"
	_, res, err := e.Run(ctx, transforms.Step{Name: "normalize", Kind: transforms.Check, SQL: q})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != len(inputs) {
		t.Fatalf("%d rows for %d inputs", len(res), len(inputs))
	}
	str := func(v bigquery.Value) string {
		if v == nil {
			return ""
		}
		return v.(string)
	}
	for _, r := range res {
		raw := inputs[r["i"].(int64)]
		want := normtest.Reference(raw)
		got := normtest.Keys{Email: str(r["email"]), Phone: str(r["phone"]), Hash: str(r["hashed"]), ID: str(r["id"]), Device: str(r["device"]), State: str(r["state"]), Given: str(r["given"])}
		want.EmailSHA, want.EmailFoldedSHA, want.PhoneSHA = "", "", ""
		if got != want {
			t.Errorf("%q: emulator %+v, Go %+v", raw, got, want)
		}
	}
}

// TestEmulatorDefects records where the emulator, not the SQL, is wrong,
// so that the forms the product avoids for its sake are known; ZetaSQL's
// analyzer and reference evaluator cover the SQL (internal/testkit/zetasql,
// internal/testkit/parity). When a defect is fixed this test fails.
func TestEmulatorDefects(t *testing.T) {
	c := emulator(t)
	ctx := context.Background()
	// A templated (ANY TYPE) function calling another temporary function
	// cannot be formatted; BigQuery runs it. sql/macros.bigquery.sql keeps
	// to typed functions over one templated leaf because of it.
	_, err := c.Query(ctx, "defect", "CREATE TEMP FUNCTION f(x ANY TYPE) AS (LOWER(x)); CREATE TEMP FUNCTION g(x ANY TYPE) AS (f(x)); SELECT g('A') AS v")
	if err == nil || !strings.Contains(err.Error(), "failed to find path node") {
		t.Errorf("nested templated functions: got %v, want the emulator's 'failed to find path node' defect", err)
	}
	// The same nesting with typed arguments works: the defect is the
	// templated form's, not the nesting's.
	res, err := c.Query(ctx, "typed", "CREATE TEMP FUNCTION f(x STRING) AS (LOWER(x)); CREATE TEMP FUNCTION g(x STRING) AS (f(x)); SELECT g('A') AS v")
	if err != nil || len(res.Rows) != 1 || res.Rows[0]["v"] != "a" {
		t.Errorf("typed nested functions: %v %v", res.Rows, err)
	}
	// ARRAY_AGG ignores a TIMESTAMP sort key (it ordered these by the
	// second key): category_state sorts by UNIX_MICROS of the time instead.
	res, err = c.Query(ctx, "defect", `SELECT ARRAY_AGG(id ORDER BY t, id) AS ids,
  ARRAY_AGG(id ORDER BY UNIX_MICROS(t), id) AS by_micros
FROM (SELECT 'a' AS id, TIMESTAMP '2026-03-07 08:00:00+00' AS t UNION ALL SELECT 'b', TIMESTAMP '2026-01-07 08:00:00+00')`)
	if err != nil || fmt.Sprint(res.Rows) != "[map[by_micros:[b a] ids:[a b]]]" {
		t.Errorf("ARRAY_AGG by a timestamp: got %v %v, want the emulator's [a b] (and [b a] by UNIX_MICROS)", res.Rows, err)
	}
	// EXPORT DATA (an export's gcs_uri) is not supported; ZetaSQL analyzes
	// the statement (internal/testkit/parity, statements_test.go).
	_, err = c.Exec(ctx, "defect", ExportDataSQL("gs://bucket/ads/part-*.csv", "csv", "(SELECT 'a@b.c' AS email)"))
	if err == nil || !strings.Contains(err.Error(), "Statement not supported: ExportDataStatement") {
		t.Errorf("EXPORT DATA: got %v, want the emulator's 'Statement not supported' defect", err)
	}
}

// TestEmulatorEngine drives the engine as a run does: a table input copied
// with unique row ids, the functions step, a temporary step, a check, two
// outputs staged and published in one transaction (a per-date table and an
// unpartitioned one), the publish repeated (idempotent), an earlier
// partition found and copied back, the lock held against a second run,
// and the scratch dataset deleted at Close.
func TestEmulatorEngine(t *testing.T) {
	endpoint := bqemu.Start(t)
	ctx := context.Background()
	cfg := config.BigQuery{Project: bqemu.Project, Dataset: bqemu.Dataset, Location: "US", Endpoint: endpoint}
	open := func(runID string) *Engine {
		e, err := Open(ctx, cfg, runID, "2026-11-21", option.WithoutAuthentication())
		if err != nil {
			t.Fatal(err)
		}
		e.Backoff = nil
		return e
	}
	e := open("20261121T000000-run1")
	if _, err := e.Exec(ctx, "input", "CREATE TABLE optout.people AS SELECT CONCAT('c', CAST(MOD(n, 50) AS STRING)) AS customer_id, CONCAT(' User', CAST(n AS STRING), '@Example.com ') AS email FROM UNNEST(GENERATE_ARRAY(1, 120)) AS n"); err != nil {
		t.Fatal(err)
	}
	fields, err := e.DescribeTable(ctx, bqemu.Project+".optout.people")
	if err != nil || len(fields) != 2 || fields[1].Family != "string" {
		t.Fatalf("describe: %v %v", fields, err)
	}
	if _, err := e.RegisterTable(ctx, "src_people", bqemu.Project+".optout.people", nil); err != nil {
		t.Fatal(err)
	}
	rel := e.relation("src_people")
	res, err := e.Query(ctx, "ids", "SELECT COUNT(*) AS n, COUNT(DISTINCT _row) AS ids, COUNT(DISTINCT _file) AS files, MAX(_file) AS file FROM "+rel)
	if err != nil {
		t.Fatal(err)
	}
	if r := res.Rows[0]; r["n"] != int64(120) || r["ids"] != int64(120) || r["files"] != int64(1) || r["file"] != "table:"+bqemu.Project+".optout.people" {
		t.Errorf("input copy: %v; want 120 rows with 120 distinct _row and _file table:NAME", r)
	}
	macros, err := transforms.MacrosStep(transforms.BigQuery)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.Run(ctx, macros); err != nil {
		t.Fatal(err)
	}
	n, _, err := e.Run(ctx, transforms.Step{Name: "keys", Kind: transforms.Temp, Table: "keys",
		SQL: "SELECT customer_id, optout_email(email) AS email FROM " + rel})
	if err != nil || n != 120 {
		t.Fatalf("temp step: %d rows, %v", n, err)
	}
	_, rows, err := e.Run(ctx, transforms.Step{Name: "check", Kind: transforms.Check,
		SQL: "SELECT COUNT(*) AS n FROM " + e.relation(transforms.TempName("keys")) + " WHERE email = CAST(? AS STRING)", Args: []any{"user7@example.com"}})
	if err != nil || len(rows) != 1 || rows[0]["n"] != int64(1) {
		t.Fatalf("check step: %v %v", rows, err)
	}
	stage := func(e *Engine, table string, perDate bool, sql string) Staged {
		s := transforms.Step{Name: table, Kind: transforms.Output, Target: "staged__" + table, SQL: sql}
		if _, _, err := e.Run(ctx, s); err != nil {
			t.Fatal(err)
		}
		return Staged{Scratch: s.Target, Table: table, PerDate: perDate, Cluster: []string{"customer_id"}}
	}
	keys := e.relation(transforms.TempName("keys"))
	publish := func(e *Engine, dt string) {
		t.Helper()
		staged := []Staged{
			stage(e, "emails", true, "SELECT customer_id, email FROM "+keys),
			stage(e, "customers_seen", false, "SELECT DISTINCT customer_id FROM "+keys),
		}
		if err := e.Publish(ctx, dt, staged); err != nil {
			t.Fatal(err)
		}
	}
	publish(e, "2026-11-20")
	// Two runs of 2026-11-21: the second replaces the first's rows.
	for _, id := range []string{"run2", "run3"} {
		if e != nil {
			if err := e.Close(); err != nil {
				t.Fatal(err)
			}
		}
		e = open("20261121T000000-" + id)
		if _, _, err := e.Run(ctx, transforms.Step{Name: "keys", Kind: transforms.Temp, Table: "keys",
			SQL: "SELECT customer_id, LOWER(TRIM(email)) AS email FROM optout.people"}); err != nil {
			t.Fatal(err)
		}
		keys = e.relation(transforms.TempName("keys"))
		publish(e, "2026-11-21")
	}
	defer e.Close()
	count := func(sql string) int64 {
		t.Helper()
		res, err := e.Query(ctx, "count", sql)
		if err != nil {
			t.Fatal(err)
		}
		return res.Rows[0]["n"].(int64)
	}
	if n := count("SELECT COUNT(*) AS n FROM optout.emails WHERE dt = DATE '2026-11-21'"); n != 120 {
		t.Errorf("emails of 2026-11-21: %d rows after two publishes, want 120", n)
	}
	if n := count("SELECT COUNT(*) AS n FROM optout.emails WHERE dt = DATE '2026-11-20'"); n != 120 {
		t.Errorf("emails of 2026-11-20: %d rows, want 120 (another date's partition is kept)", n)
	}
	if n := count("SELECT COUNT(*) AS n FROM optout.customers_seen"); n != 50 {
		t.Errorf("customers_seen: %d rows, want 50 (replaced whole, not appended)", n)
	}
	prev, err := e.LatestBefore(ctx, "emails", "2026-11-21")
	if err != nil || prev != "2026-11-20" {
		t.Fatalf("latest earlier partition: %q %v", prev, err)
	}
	if ok, err := e.CopyOutput(ctx, "prev_emails", "emails", prev); err != nil || !ok {
		t.Fatalf("copy of the earlier partition: %v %v", ok, err)
	}
	if n := count("SELECT COUNT(*) AS n FROM " + e.relation("prev_emails")); n != 120 {
		t.Errorf("copied partition: %d rows, want 120", n)
	}
	if ok, err := e.CopyOutput(ctx, "prev_missing", "no_such_table", ""); err != nil || ok {
		t.Errorf("copy of a missing table: %v %v, want false and no error", ok, err)
	}

	// An export's history: the partitions export_manifest lists, of every
	// date (not 21 Nov's, never published), copied from a day on.
	for _, q := range []string{
		"CREATE TABLE optout.exports__ads AS SELECT d AS dt, CONCAT('u', CAST(n AS STRING), '@example.com') AS email FROM UNNEST([DATE '2026-11-18', DATE '2026-11-19', DATE '2026-11-20', DATE '2026-11-21', DATE '2026-11-22']) AS d, UNNEST(GENERATE_ARRAY(1, 3)) AS n",
		"CREATE TABLE optout.export_manifest AS SELECT d AS dt, 'ads' AS export, TIMESTAMP '2026-11-23 09:00:00+00' AS published_at FROM UNNEST([DATE '2026-11-18', DATE '2026-11-19', DATE '2026-11-20', DATE '2026-11-22']) AS d",
	} {
		if _, err := e.Exec(ctx, "history_input", q); err != nil {
			t.Fatal(err)
		}
	}
	published, err := e.ExportHistory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, p := range published {
		files = append(files, p.File+"@"+p.At+"@"+p.As)
	}
	// This manifest has no published_as (an older version's): each "" .
	if got, want := strings.Join(files, " "), "exports/ads/dt=2026-11-18@2026-11-23T09:00:00Z@ exports/ads/dt=2026-11-19@2026-11-23T09:00:00Z@ exports/ads/dt=2026-11-20@2026-11-23T09:00:00Z@ exports/ads/dt=2026-11-22@2026-11-23T09:00:00Z@"; got != want {
		t.Errorf("published history:\n got %s\nwant %s", got, want)
	}
	// historyRows lists a history table's partitions with their rows.
	historyRows := func(table string) []string {
		t.Helper()
		res, err := e.Query(ctx, "history_rows", "SELECT _file, COUNT(*) AS n FROM "+e.relation(table)+" GROUP BY _file ORDER BY _file")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range res.Rows {
			got = append(got, fmt.Sprintf("%v:%v", r["_file"], r["n"]))
		}
		return got
	}
	for name, dates := range map[string][]string{"history__ads_19": {"2026-11-19", "2026-11-20"}, "history__ads_none": nil} {
		if err := e.CopyExportHistory(ctx, name, "ads", dates); err != nil {
			t.Fatal(err)
		}
		got := historyRows(name)
		want := map[string]string{"history__ads_19": "exports/ads/dt=2026-11-19:3 exports/ads/dt=2026-11-20:3", "history__ads_none": ""}[name]
		if strings.Join(got, " ") != want {
			t.Errorf("history copied into %s: %v, want %s", name, got, want)
		}
	}
	// A manifest that records how each partition was written (the
	// emulator has no ALTER TABLE: made again).
	for _, q := range []string{
		"CREATE TABLE optout.export_manifest2 AS SELECT *, IF(dt = DATE '2026-11-20', '{\"destination\":\"meta\"}', CAST(NULL AS STRING)) AS published_as FROM optout.export_manifest",
		"DROP TABLE optout.export_manifest",
		"CREATE TABLE optout.export_manifest AS SELECT * FROM optout.export_manifest2",
	} {
		if _, err := e.Exec(ctx, "history_input", q); err != nil {
			t.Fatal(err)
		}
	}
	if published, err = e.ExportHistory(ctx); err != nil || len(published) != 4 || published[2].As != `{"destination":"meta"}` || published[1].As != "" {
		t.Errorf("published history with published_as: %+v %v", published, err)
	}
	// A run's history: one table per way of writing, each narrowed to its
	// own partitions from the day asked for on.
	st, err := e.Begin(ctx, engine.RunInfo{ID: "20261121T000000-hist", Date: "2026-11-21"})
	if err != nil {
		t.Fatal(err)
	}
	h, err := st.History(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Views) != 2 || h.Views[0].View != "history__ads" || h.Views[0].As != nil ||
		h.Views[1].View != "history__ads__1" || h.Views[1].As == nil || h.Views[1].As.Destination != "meta" {
		t.Fatalf("history views: %+v", h.Views)
	}
	if err := st.NarrowHistory(ctx, "2026-11-19"); err != nil {
		t.Fatal(err)
	}
	for view, want := range map[string]string{"history__ads": "exports/ads/dt=2026-11-19:3 exports/ads/dt=2026-11-22:3", "history__ads__1": "exports/ads/dt=2026-11-20:3"} {
		got := historyRows(view)
		if strings.Join(got, " ") != want {
			t.Errorf("%s narrowed from 19 Nov: %v, want %s", view, got, want)
		}
	}

	// The dates that ran and the latest ledger cutoff (jobs'
	// succeededDates), from runs rows with ledger_cutoff, and from an
	// older version's without it.
	for i, c := range []struct{ cutoff, want string }{
		{", IF(n = 2, TIMESTAMP '2024-11-22 08:00:00+00', NULL) AS ledger_cutoff", "2026-11-20 true <nil>, 2026-11-21 true 2024-11-22T08:00:00Z"},
		{"", "2026-11-20 true <nil>, 2026-11-21 true <nil>"},
	} {
		cutoff, want := c.cutoff, c.want
		if i > 0 {
			if _, err := e.Exec(ctx, "runs_input", "DROP TABLE "+e.relation("prev_runs")); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.Exec(ctx, "runs_input", "CREATE TABLE "+e.relation("prev_runs")+" AS SELECT DATE_ADD(DATE '2026-11-19', INTERVAL n DAY) AS dt, 'succeeded' AS status, FALSE AS provisional, TIMESTAMP '2026-11-22 09:00:00+00' AS now"+cutoff+" FROM UNNEST([1, 2]) AS n"); err != nil {
			t.Fatal(err)
		}
		dates, err := transforms.SucceededDatesStep(transforms.BigQuery, e.Scratch(), transforms.RunsColumns{LedgerCutoff: cutoff != ""})
		if err != nil {
			t.Fatal(err)
		}
		_, rows, err := e.Run(ctx, dates)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rows {
			c := fmt.Sprint(r["ledger_cutoff"])
			if ts, ok := r["ledger_cutoff"].(time.Time); ok {
				c = ts.UTC().Format(time.RFC3339)
			}
			got = append(got, fmt.Sprintf("%v %v %s", r["dt"], r["final"], c))
		}
		slices.Sort(got)
		if strings.Join(got, ", ") != want {
			t.Errorf("succeeded dates (runs rows with%q): %v, want %s", cutoff, got, want)
		}
	}

	unlock, err := e.Lock(ctx, "run3")
	if err != nil {
		t.Fatal(err)
	}
	other := open("20261121T000000-run4")
	_, err = other.Lock(ctx, "run4")
	if exit.Code(err) != exit.Locked || !strings.Contains(err.Error(), "optout run run3") {
		t.Errorf("second lock: exit %d %v; want exit 4 naming run3", exit.Code(err), err)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	if unlock2, err := other.Lock(ctx, "run4"); err != nil {
		t.Errorf("lock after release: %v", err)
	} else {
		unlock2()
	}
	scratch := other.Scratch()
	if err := other.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.bq.Dataset(scratch).Metadata(ctx); err == nil {
		t.Errorf("scratch dataset %s left after Close", scratch)
	}
}
