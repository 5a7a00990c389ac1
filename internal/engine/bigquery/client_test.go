package bigquery

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/bigquery"
	bq "google.golang.org/api/bigquery/v2"
	"google.golang.org/api/option"

	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/internal/engine"
	"github.com/optout-dev/optout/internal/exit"
	"github.com/optout-dev/optout/internal/testkit/bqfake"
	"github.com/optout-dev/optout/transforms"
)

// newTestClient connects to the fake server for testRunID of project proj.
func newTestClient(t *testing.T, f *bqfake.Server, cfg config.BigQuery) *Client {
	t.Helper()
	cfg.Project, cfg.Endpoint = "proj", f.URL
	c, err := New(context.Background(), cfg, "20261121T204144-3f800521", "2026-11-21", option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	c.Backoff = []time.Duration{time.Millisecond, time.Millisecond}
	t.Cleanup(func() { c.Close() })
	return c
}

// testRunID is the run the fake-server tests open an engine for.
const testRunID = "20261121T204144-3f800521"

// newTestEngine opens an engine (and its scratch dataset) for testRunID of
// project proj, output dataset optout, on the fake server; the caller
// closes it.
func newTestEngine(t *testing.T, f *bqfake.Server) (*Engine, config.BigQuery) {
	t.Helper()
	cfg := config.BigQuery{Project: "proj", Dataset: "optout", Endpoint: f.URL}
	e, err := Open(context.Background(), cfg, testRunID, "2026-11-21", option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	return e, cfg
}

// sent lists the jobs as the client sent them.
func sent(f *bqfake.Server) []*bq.Job {
	var out []*bq.Job
	for _, j := range f.Jobs() {
		out = append(out, j.Sent)
	}
	return out
}

func TestJobConfiguration(t *testing.T) {
	f := bqfake.New(t)
	c := newTestClient(t, f, config.BigQuery{Location: "EU", MaxBytesBilled: 1 << 30})
	res, err := c.Exec(context.Background(), "customers_flagged", "SELECT ? AS a, ? AS b", "x", int64(7))
	if err != nil {
		t.Fatal(err)
	}
	if len(sent(f)) != 1 {
		t.Fatalf("%d jobs inserted", len(sent(f)))
	}
	job := sent(f)[0]
	q := job.Configuration.Query
	want := map[string]string{"optout_run_id": "20261121t204144-3f800521", "optout_dt": "2026-11-21", "optout_step": "customers_flagged"}
	for k, v := range want {
		if job.Configuration.Labels[k] != v {
			t.Errorf("label %s = %q, want %q", k, job.Configuration.Labels[k], v)
		}
	}
	if q.MaximumBytesBilled != 1<<30 {
		t.Errorf("maximumBytesBilled %d", q.MaximumBytesBilled)
	}
	if !strings.HasPrefix(job.JobReference.JobId, "optout_customers_flagged_") || job.JobReference.Location != "EU" {
		t.Errorf("job reference %+v", job.JobReference)
	}
	if q.Query != "SELECT ? AS a, ? AS b" || len(q.QueryParameters) != 2 || q.QueryParameters[0].Name != "" ||
		q.QueryParameters[0].ParameterValue.Value != "x" || q.QueryParameters[1].ParameterType.Type != "INT64" {
		t.Errorf("query config %+v", q)
	}
	if q.UseLegacySql == nil || *q.UseLegacySql {
		t.Error("the job must use GoogleSQL, not legacy SQL")
	}
	if res.JobID != job.JobReference.JobId || res.BytesProcessed != 4096 {
		t.Errorf("result %+v", res)
	}
}

func TestNoByteCapWhenUnset(t *testing.T) {
	f := bqfake.New(t)
	c := newTestClient(t, f, config.BigQuery{})
	if _, err := c.Exec(context.Background(), "s", "SELECT 1"); err != nil {
		t.Fatal(err)
	}
	if sent(f)[0].Configuration.Query.MaximumBytesBilled != 0 {
		t.Error("max_bytes_billed 0 means no cap")
	}
}

func TestQueryReadsEveryPage(t *testing.T) {
	f := bqfake.New(t)
	f.PageSize = 2
	f.Answer = func(bqfake.Job) *bqfake.Result {
		return bqfake.Rows("n INTEGER, s STRING", []any{1, "a"}, []any{2, "b"}, []any{3, "c"})
	}
	c := newTestClient(t, f, config.BigQuery{})
	res, err := c.Query(context.Background(), "summary", "SELECT n, s FROM t")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range res.Rows {
		got = append(got, fmt.Sprint(r["n"], r["s"]))
	}
	if strings.Join(got, ",") != "1a,2b,3c" {
		t.Errorf("rows %v", got)
	}
}

func TestTransientJobFailureRetried(t *testing.T) {
	for _, reason := range []string{"backendError", "rateLimitExceeded"} {
		f := bqfake.New(t)
		f.Fail = bqfake.FailFirst(2, reason)
		c := newTestClient(t, f, config.BigQuery{})
		res, err := c.Exec(context.Background(), "ledger", "SELECT 1")
		if err != nil {
			t.Fatalf("%s: %v", reason, err)
		}
		jobs := f.Jobs()
		if len(jobs) != 3 || jobs[0].ID == jobs[2].ID || res.JobID != jobs[2].ID {
			t.Errorf("%s: want three jobs with fresh ids, the last one's result; got %d jobs, result %s", reason, len(jobs), res.JobID)
		}
	}
	// Retries run out: the last error, exit 1, naming the step.
	f := bqfake.New(t)
	f.Fail = bqfake.FailFirst(5, "backendError")
	c := newTestClient(t, f, config.BigQuery{})
	_, err := c.Exec(context.Background(), "ledger", "SELECT 1")
	if err == nil || exit.Code(err) != exit.Failed || !strings.Contains(err.Error(), "step ledger") || len(f.Jobs()) != 3 {
		t.Errorf("after the retries: %v (exit %d), %d jobs", err, exit.Code(err), len(f.Jobs()))
	}
}

func TestErrorMapping(t *testing.T) {
	cases := []struct {
		reason string
		code   int
		want   string
	}{
		{"bytesBilledLimitExceeded", exit.Failed, "bigquery.max_bytes_billed (1000 bytes)"},
		{"notFound", exit.Input, "does not exist"},
		{"accessDenied", exit.Usage, "roles/bigquery.user"},
		{"invalidQuery", exit.Failed, "fake invalidQuery"},
		{"resourcesExceeded", exit.Failed, "fake resourcesExceeded"},
	}
	for _, tc := range cases {
		f := bqfake.New(t)
		f.Fail = bqfake.FailFirst(1, tc.reason)
		c := newTestClient(t, f, config.BigQuery{MaxBytesBilled: 1000})
		_, err := c.Exec(context.Background(), "export__ads", "SELECT 1")
		if err == nil || exit.Code(err) != tc.code || !strings.Contains(err.Error(), tc.want) ||
			!strings.Contains(err.Error(), "step export__ads (job optout_export__ads_") {
			t.Errorf("%s: %v (exit %d), want exit %d with %q", tc.reason, err, exit.Code(err), tc.code, tc.want)
		}
		if len(f.Jobs()) != 1 {
			t.Errorf("%s is not transient: %d jobs", tc.reason, len(f.Jobs()))
		}
		// Out of resources says nothing of the inputs, whatever the step.
		if runtime := errors.As(err, new(*engine.RuntimeError)); runtime != (tc.reason == "resourcesExceeded") {
			t.Errorf("%s: a runtime error: %v", tc.reason, runtime)
		}
	}
}

func TestCancelledRunCancelsServerJob(t *testing.T) {
	f := bqfake.New(t)
	f.Never = true
	c := newTestClient(t, f, config.BigQuery{})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := c.Exec(ctx, "customer_keys", "SELECT 1")
	if err == nil || exit.Code(err) != exit.Failed || !strings.Contains(err.Error(), "cancelled") {
		t.Fatalf("want a cancellation error, got %v", err)
	}
	jobs, cancelled := f.Jobs(), f.Cancelled()
	if len(jobs) != 1 || len(cancelled) != 1 || cancelled[0] != jobs[0].ID {
		t.Errorf("inserted %d, cancelled %v", len(jobs), cancelled)
	}
}

// dryAnswer gives every dry run the result schema customer_id STRING.
func dryAnswer(bqfake.Job) *bqfake.Result { return bqfake.Rows("customer_id STRING") }

func TestDryRunBytes(t *testing.T) {
	f := bqfake.New(t)
	f.Answer = dryAnswer
	c := newTestClient(t, f, config.BigQuery{})
	n, schema, err := c.DryRun(context.Background(), "customer_rows", "SELECT 1")
	if err != nil || n != 123456789 {
		t.Fatalf("dry run: %d, %v", n, err)
	}
	if len(schema) != 1 || schema[0].Name != "customer_id" {
		t.Errorf("dry run schema: %+v", schema)
	}
	if !sent(f)[0].Configuration.DryRun {
		t.Error("the job was not sent as a dry run")
	}
}

func TestLabelValue(t *testing.T) {
	for in, want := range map[string]string{"20261121T204144-3f800521": "20261121t204144-3f800521", "export__Meta Audience": "export__meta_audience",
		strings.Repeat("a", 80): strings.Repeat("a", 63)} {
		if got := labelValue(in); got != want {
			t.Errorf("labelValue(%q) = %q, want %q", in, got, want)
		}
	}
}

// A dry engine (optout plan) sends every query as a dry run, keeps each
// estimate, makes each table a step would create empty, with the dry
// run's schema, and returns no rows for a check.
func TestDryEngine(t *testing.T) {
	f := bqfake.New(t)
	f.Answer = dryAnswer
	e, cfg := newTestEngine(t, f)
	ctx := context.Background()
	e.Dry = true
	if _, err := e.RegisterTable(ctx, "customers", "crm.customers", nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.Run(ctx, transforms.Step{Name: "customer_keys", Kind: transforms.Temp, Table: "customer_keys", SQL: "SELECT customer_id FROM " + e.relation("customers")}); err != nil {
		t.Fatal(err)
	}
	n, rows, err := e.Run(ctx, transforms.Step{Name: "leak_check__ads", Kind: transforms.Check, SQL: "SELECT 1 AS leaked"})
	if err != nil || n != 0 || rows != nil {
		t.Fatalf("check on a dry engine: %d %v %v", n, rows, err)
	}
	// The plan's export history: an empty table the notifications can name.
	if err := e.CopyExportHistory(ctx, "history__ads", "ads", nil); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	for _, j := range sent(f) {
		if !j.Configuration.DryRun || strings.Contains(j.Configuration.Query.Query, "CREATE") {
			t.Errorf("a dry engine sent a job that runs: dry=%v %q", j.Configuration.DryRun, j.Configuration.Query.Query)
		}
	}
	want := []Estimate{{Step: "register_customers", Bytes: 123456789, Copies: "customers"}, {Step: "customer_keys", Bytes: 123456789}, {Step: "leak_check__ads", Bytes: 123456789}, {Step: "copy_history_ads", Bytes: 123456789}}
	if got := e.Estimates(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("estimates %v, want %v", got, want)
	}
	scratch := ScratchDataset(cfg, testRunID)
	created := map[string]*bq.Table{}
	for _, ev := range f.Events() {
		if ev.Op == "create_table" {
			created[ev.Name] = ev.Sent
		}
	}
	for _, name := range []string{"customers", transforms.TempName("customer_keys"), "history__ads"} {
		tb := created[scratch+"."+name]
		if tb == nil || len(tb.Schema.Fields) != 1 || tb.Schema.Fields[0].Name != "customer_id" {
			t.Errorf("table %s: %+v", name, tb)
		}
	}
	if len(created) != 3 {
		t.Errorf("tables created: %d, want 3", len(created))
	}
	if fmt.Sprint(f.Datasets()) != fmt.Sprint([]string{scratch, "-" + scratch}) {
		t.Errorf("datasets: %v", f.Datasets())
	}
}

// An export's gcs_uri is one EXPORT DATA job over its staged rows, the URI
// and format as literals, files overwritten, a CSV with its header.
func TestExportDataJob(t *testing.T) {
	f := bqfake.New(t)
	e, _ := newTestEngine(t, f)
	ctx := context.Background()
	defer e.Close()
	if err := e.ExportData(ctx, "meta_audience", "gs://b/meta/2026-11-21/part-*.csv", "csv", "written__meta_audience"); err != nil {
		t.Fatal(err)
	}
	job := sent(f)[0]
	want := "EXPORT DATA OPTIONS (uri = 'gs://b/meta/2026-11-21/part-*.csv', format = 'CSV', overwrite = true, header = true) AS\nSELECT * FROM `optout_scratch_20261121t204144_3f800521`.`written__meta_audience`"
	if got := job.Configuration.Query.Query; got != want {
		t.Errorf("query\n%s\nwant\n%s", got, want)
	}
	if job.Configuration.Labels["optout_step"] != "gcs__meta_audience" || job.Configuration.DryRun {
		t.Errorf("job %+v", job.Configuration)
	}
	if got := ExportDataSQL("gs://b/x/part-*.parquet", "parquet", "t"); strings.Contains(got, "header") || !strings.Contains(got, "format = 'PARQUET'") {
		t.Errorf("parquet: %s", got)
	}
}

// A table created through the API names its float columns FLOAT64 (the
// emulator reads the API's FLOAT as a 32-bit float), nested ones too, and
// gets its dt partition column first.
func TestEnsureDateTableSchema(t *testing.T) {
	f := bqfake.New(t)
	c := newTestClient(t, f, config.BigQuery{Dataset: "optout"})
	schema := bigquery.Schema{{Name: "rate", Type: bigquery.FloatFieldType},
		{Name: "s", Type: bigquery.RecordFieldType, Schema: bigquery.Schema{{Name: "share", Type: bigquery.FloatFieldType}}}}
	if err := c.EnsureDateTable(context.Background(), "metrics_x", schema, []string{"rate"}); err != nil {
		t.Fatal(err)
	}
	got := f.Table("optout.metrics_x")
	if got == nil {
		t.Fatal("no table created")
	}
	fs := got.Schema.Fields
	if len(fs) != 3 || fs[0].Name != "dt" || fs[0].Type != "DATE" || fs[1].Type != "FLOAT64" || fs[2].Fields[0].Type != "FLOAT64" {
		t.Errorf("schema sent: %+v %+v", fs[1], fs[2].Fields[0])
	}
	if got.TimePartitioning == nil || got.TimePartitioning.Field != "dt" || got.Clustering == nil || got.Clustering.Fields[0] != "rate" {
		t.Errorf("partitioning %+v clustering %+v", got.TimePartitioning, got.Clustering)
	}
	if schema[0].Type != bigquery.FloatFieldType {
		t.Error("the caller's schema was changed")
	}
}

// The macros step creates the functions once, in the scratch dataset,
// where every later statement calls them; a step's row count is the
// table's (tabledata.list), not a query job.
func TestFunctionsAndCounts(t *testing.T) {
	f := bqfake.New(t)
	f.TotalRows = 42
	e, _ := newTestEngine(t, f)
	defer e.Close()
	start := len(f.Jobs())
	ctx := context.Background()
	scratch := "`" + ScratchDataset(config.BigQuery{Dataset: "optout"}, testRunID) + "`."
	macros, err := transforms.MacrosStep(transforms.BigQuery)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.Run(ctx, macros); err != nil {
		t.Fatal(err)
	}
	n, _, err := e.Run(ctx, transforms.Step{Name: "keys", Kind: transforms.Temp, Table: "keys",
		SQL: "SELECT optout_word(optout_trim(c)) AS k, optout_email_sha(c) AS s FROM optout_state"})
	if err != nil || n != 42 {
		t.Fatalf("temp step: %d rows, %v; want the table's 42", n, err)
	}
	jobs := f.Jobs()[start:]
	if len(jobs) != 2 {
		t.Fatalf("%d jobs, want 2 (the functions, the step's table)", len(jobs))
	}
	defs := jobs[0].SQL
	if jobs[0].Step != "macros" || strings.Contains(defs, "TEMP FUNCTION") ||
		!strings.Contains(defs, "CREATE OR REPLACE FUNCTION "+scratch+"optout_word(x STRING) AS ("+scratch+"optout_lower("+scratch+"optout_trim(x)))") ||
		!strings.Contains(defs, "CREATE OR REPLACE FUNCTION "+scratch+"optout_gpp(s STRING) RETURNS STRING LANGUAGE js") {
		t.Errorf("the functions' job:\n%s", defs)
	}
	want := "CREATE TABLE " + scratch + "`_optout_keys` AS\nSELECT " + scratch + "optout_word(" + scratch + "optout_trim(c)) AS k, " +
		scratch + "optout_email_sha(c) AS s FROM optout_state"
	if got := jobs[1].SQL; got != want {
		t.Errorf("the step's statement:\n got %s\nwant %s", got, want)
	}
	// Only calls (the name, then "(") are qualified, once.
	for _, c := range [][2]string{
		{"optout_email(x)||optout_email_key(y)", scratch + "optout_email(x)||" + scratch + "optout_email_key(y)"},
		{scratch + "optout_id(x), t.optout_id, optout_id AS (x), my_optout_id(x)", ""}, // left as it is
	} {
		want := c[1]
		if want == "" {
			want = c[0]
		}
		if got := e.withFunctions(c[0]); got != want {
			t.Errorf("withFunctions(%q) = %q, want %q", c[0], got, want)
		}
	}
}

// A customers table read in place goes through a view of the columns the
// run described, not t.*: a column another job adds while the run goes (an
// identifier the keys never read) would otherwise come into the second
// read, customers_flagged, and out with flags that never saw it (found by
// a review). Each date of a backfill makes the view again: the scratch
// dataset's tables, views too, expire after a day.
func TestInPlaceViewListsTheDescribedColumns(t *testing.T) {
	f := bqfake.New(t)
	e, _ := newTestEngine(t, f)
	ctx := context.Background()
	for range 2 {
		inPlace, err := e.RegisterTable(ctx, "src_customers", "crm.customers", []string{"customer_id", "Email"})
		if err != nil || !inPlace {
			t.Fatalf("in place: %v, %v", inPlace, err)
		}
	}
	var got []string
	for _, j := range sent(f) {
		if q := j.Configuration.Query; q != nil {
			got = append(got, q.Query)
		}
	}
	rel := e.relation("src_customers")
	view := "CREATE VIEW " + rel + " AS\nSELECT t.`customer_id`, t.`Email`, 'table:crm.customers' AS _file, CAST(NULL AS INT64) AS _row FROM `crm`.`customers` AS t"
	want := []string{view, "DROP VIEW IF EXISTS " + rel, view}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("statements:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
