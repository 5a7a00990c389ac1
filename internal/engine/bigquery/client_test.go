package bigquery

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/bigquery"
	bq "google.golang.org/api/bigquery/v2"
	"google.golang.org/api/option"

	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/internal/exit"
	"github.com/optout-dev/optout/transforms"
)

// fakeBigQuery speaks the parts of the BigQuery REST API a query job uses:
// jobs.insert, jobs.getQueryResults (waiting and paging), jobs.get and
// jobs.cancel; and datasets.insert, datasets.delete, tables.insert,
// tables.get and tabledata.list (a row count), for the engine's scratch
// dataset and the output tables. It records what the client sent.
type fakeBigQuery struct {
	mu        sync.Mutex
	inserted  []*bq.Job
	cancelled []string
	datasets  []string             // created, then "-" + the deleted ones
	tables    map[string]*bq.Table // created through the API (or by the test), by dataset.table
	// failJobs: the first failJobs jobs end with this error reason.
	failJobs   int
	failReason string
	// never: getQueryResults never reports the job complete.
	never bool
	// totalRows is every table's row count in tabledata.list.
	totalRows int64
}

func (f *fakeBigQuery) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/bigquery/v2")
	parts := strings.Split(strings.Trim(path, "/"), "/") // projects/P/jobs[/ID[/cancel]] or projects/P/queries/ID
	f.mu.Lock()
	defer f.mu.Unlock()
	reply := func(v any) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(v)
	}
	switch {
	case r.Method == http.MethodPost && len(parts) == 3 && parts[2] == "jobs":
		var job bq.Job
		if err := json.NewDecoder(r.Body).Decode(&job); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f.inserted = append(f.inserted, &job)
		job.Status = &bq.JobStatus{State: "RUNNING"}
		if job.Configuration.DryRun {
			job.Status.State = "DONE"
			job.Statistics = &bq.JobStatistics{TotalBytesProcessed: 123456789, Query: &bq.JobStatistics2{
				Schema: &bq.TableSchema{Fields: []*bq.TableFieldSchema{{Name: "customer_id", Type: "STRING"}}}}}
		}
		reply(&job)
	case r.Method == http.MethodGet && len(parts) == 4 && parts[2] == "queries":
		if f.never {
			reply(&bq.GetQueryResultsResponse{JobComplete: false})
			return
		}
		schema := &bq.TableSchema{Fields: []*bq.TableFieldSchema{{Name: "n", Type: "INTEGER"}, {Name: "s", Type: "STRING"}}}
		row := func(n int, s string) *bq.TableRow {
			return &bq.TableRow{F: []*bq.TableCell{{V: fmt.Sprint(n)}, {V: s}}}
		}
		res := &bq.GetQueryResultsResponse{JobComplete: true, Schema: schema, TotalRows: 3,
			JobReference: &bq.JobReference{ProjectId: parts[1], JobId: parts[3]}}
		switch {
		case r.URL.Query().Get("maxResults") == "0":
		case r.URL.Query().Get("pageToken") == "":
			res.Rows, res.PageToken = []*bq.TableRow{row(1, "a"), row(2, "b")}, "page2"
		default:
			res.Rows = []*bq.TableRow{row(3, "c")}
		}
		reply(res)
	case r.Method == http.MethodGet && len(parts) == 4 && parts[2] == "jobs":
		job := f.find(parts[3])
		job.Status = &bq.JobStatus{State: "DONE"}
		job.Statistics = &bq.JobStatistics{TotalBytesProcessed: 4096}
		if f.failJobs > 0 {
			f.failJobs--
			job.Status.ErrorResult = &bq.ErrorProto{Reason: f.failReason, Message: "fake " + f.failReason}
		}
		reply(job)
	case r.Method == http.MethodPost && len(parts) == 3 && parts[2] == "datasets":
		var ds bq.Dataset
		json.NewDecoder(r.Body).Decode(&ds)
		f.datasets = append(f.datasets, ds.DatasetReference.DatasetId)
		reply(&ds)
	case r.Method == http.MethodDelete && len(parts) == 4 && parts[2] == "datasets":
		f.datasets = append(f.datasets, "-"+parts[3])
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodPost && len(parts) == 5 && parts[4] == "tables":
		var t bq.Table
		json.NewDecoder(r.Body).Decode(&t)
		if f.tables == nil {
			f.tables = map[string]*bq.Table{}
		}
		f.tables[parts[3]+"."+t.TableReference.TableId] = &t
		reply(&t)
	case r.Method == http.MethodGet && len(parts) == 6 && parts[4] == "tables":
		t := f.tables[parts[3]+"."+parts[5]]
		if t == nil {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": 404, "message": "Not found: Table " + parts[5],
				"errors": []map[string]string{{"reason": "notFound", "message": "Not found"}}}})
			return
		}
		reply(t)
	case r.Method == http.MethodGet && len(parts) == 7 && parts[6] == "data": // tabledata.list
		reply(&bq.TableDataList{TotalRows: f.totalRows, Rows: []*bq.TableRow{}})
	case r.Method == http.MethodPost && len(parts) == 5 && parts[4] == "cancel":
		f.cancelled = append(f.cancelled, parts[3])
		reply(&bq.JobCancelResponse{Job: f.find(parts[3])})
	default:
		http.Error(w, "unexpected "+r.Method+" "+r.URL.Path, http.StatusNotImplemented)
	}
}

func (f *fakeBigQuery) find(id string) *bq.Job {
	for _, j := range f.inserted {
		if j.JobReference.JobId == id {
			c := *j
			return &c
		}
	}
	return &bq.Job{JobReference: &bq.JobReference{JobId: id}}
}

func newTestClient(t *testing.T, f *fakeBigQuery, cfg config.BigQuery) *Client {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	cfg.Project, cfg.Endpoint = "proj", srv.URL
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
func newTestEngine(t *testing.T, f *fakeBigQuery) (*Engine, config.BigQuery) {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	cfg := config.BigQuery{Project: "proj", Dataset: "optout", Endpoint: srv.URL}
	e, err := Open(context.Background(), cfg, testRunID, "2026-11-21", option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	return e, cfg
}

func TestJobConfiguration(t *testing.T) {
	f := &fakeBigQuery{}
	c := newTestClient(t, f, config.BigQuery{Location: "EU", MaxBytesBilled: 1 << 30})
	res, err := c.Exec(context.Background(), "customers_flagged", "SELECT ? AS a, ? AS b", "x", int64(7))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.inserted) != 1 {
		t.Fatalf("%d jobs inserted", len(f.inserted))
	}
	job := f.inserted[0]
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
	f := &fakeBigQuery{}
	c := newTestClient(t, f, config.BigQuery{})
	if _, err := c.Exec(context.Background(), "s", "SELECT 1"); err != nil {
		t.Fatal(err)
	}
	if f.inserted[0].Configuration.Query.MaximumBytesBilled != 0 {
		t.Error("max_bytes_billed 0 means no cap")
	}
}

func TestQueryReadsEveryPage(t *testing.T) {
	f := &fakeBigQuery{}
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
		f := &fakeBigQuery{failJobs: 2, failReason: reason}
		c := newTestClient(t, f, config.BigQuery{})
		res, err := c.Exec(context.Background(), "ledger", "SELECT 1")
		if err != nil {
			t.Fatalf("%s: %v", reason, err)
		}
		if len(f.inserted) != 3 || f.inserted[0].JobReference.JobId == f.inserted[2].JobReference.JobId || res.JobID != f.inserted[2].JobReference.JobId {
			t.Errorf("%s: want three jobs with fresh ids, the last one's result; got %d jobs, result %s", reason, len(f.inserted), res.JobID)
		}
	}
	// Retries run out: the last error, exit 1, naming the step.
	f := &fakeBigQuery{failJobs: 5, failReason: "backendError"}
	c := newTestClient(t, f, config.BigQuery{})
	_, err := c.Exec(context.Background(), "ledger", "SELECT 1")
	if err == nil || exit.Code(err) != exit.Failed || !strings.Contains(err.Error(), "step ledger") || len(f.inserted) != 3 {
		t.Errorf("after the retries: %v (exit %d), %d jobs", err, exit.Code(err), len(f.inserted))
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
	}
	for _, tc := range cases {
		f := &fakeBigQuery{failJobs: 1, failReason: tc.reason}
		c := newTestClient(t, f, config.BigQuery{MaxBytesBilled: 1000})
		_, err := c.Exec(context.Background(), "export__ads", "SELECT 1")
		if err == nil || exit.Code(err) != tc.code || !strings.Contains(err.Error(), tc.want) ||
			!strings.Contains(err.Error(), "step export__ads (job optout_export__ads_") {
			t.Errorf("%s: %v (exit %d), want exit %d with %q", tc.reason, err, exit.Code(err), tc.code, tc.want)
		}
		if len(f.inserted) != 1 {
			t.Errorf("%s is not transient: %d jobs", tc.reason, len(f.inserted))
		}
	}
}

func TestCancelledRunCancelsServerJob(t *testing.T) {
	f := &fakeBigQuery{never: true}
	c := newTestClient(t, f, config.BigQuery{})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := c.Exec(ctx, "customer_keys", "SELECT 1")
	if err == nil || exit.Code(err) != exit.Failed || !strings.Contains(err.Error(), "cancelled") {
		t.Fatalf("want a cancellation error, got %v", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.inserted) != 1 || len(f.cancelled) != 1 || f.cancelled[0] != f.inserted[0].JobReference.JobId {
		t.Errorf("inserted %d, cancelled %v", len(f.inserted), f.cancelled)
	}
}

func TestDryRunBytes(t *testing.T) {
	f := &fakeBigQuery{}
	c := newTestClient(t, f, config.BigQuery{})
	n, schema, err := c.DryRun(context.Background(), "customer_rows", "SELECT 1")
	if err != nil || n != 123456789 {
		t.Fatalf("dry run: %d, %v", n, err)
	}
	if len(schema) != 1 || schema[0].Name != "customer_id" {
		t.Errorf("dry run schema: %+v", schema)
	}
	if !f.inserted[0].Configuration.DryRun {
		t.Error("the job was not sent as a dry run")
	}
}

// The macros step creates the functions once, in the scratch dataset,
// where every later statement calls them; a step's row count is the
// table's (tabledata.list), not a query job.
func TestFunctionsAndCounts(t *testing.T) {
	f := &fakeBigQuery{totalRows: 42, tables: map[string]*bq.Table{}}
	e, cfg := newTestEngine(t, f)
	defer e.Close()
	// The table the step makes (the fake runs no SQL).
	f.tables[ScratchDataset(cfg, testRunID)+"._optout_keys"] = &bq.Table{Schema: &bq.TableSchema{Fields: []*bq.TableFieldSchema{{Name: "k", Type: "STRING"}}}}
	ctx := context.Background()
	scratch := "`" + ScratchDataset(cfg, testRunID) + "`."
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
	if len(f.inserted) != 2 {
		t.Fatalf("%d jobs, want 2 (the functions, the step's table)", len(f.inserted))
	}
	defs := f.inserted[0].Configuration.Query.Query
	if f.inserted[0].Configuration.Labels["optout_step"] != "macros" || strings.Contains(defs, "TEMP FUNCTION") ||
		!strings.Contains(defs, "CREATE OR REPLACE FUNCTION "+scratch+"optout_word(x STRING) AS ("+scratch+"optout_lower("+scratch+"optout_trim(x)))") ||
		!strings.Contains(defs, "CREATE OR REPLACE FUNCTION "+scratch+"optout_gpp(s STRING) RETURNS STRING LANGUAGE js") {
		t.Errorf("the functions' job:\n%s", defs)
	}
	want := "CREATE TABLE " + scratch + "`_optout_keys` AS\nSELECT " + scratch + "optout_word(" + scratch + "optout_trim(c)) AS k, " +
		scratch + "optout_email_sha(c) AS s FROM optout_state"
	if got := f.inserted[1].Configuration.Query.Query; got != want {
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
	f := &fakeBigQuery{}
	e, cfg := newTestEngine(t, f)
	ctx := context.Background()
	e.Dry = true
	macros, err := transforms.MacrosStep(transforms.BigQuery)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.Run(ctx, macros); err != nil {
		t.Fatal(err)
	}
	if err := e.RegisterTable(ctx, "customers", "crm.customers"); err != nil {
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
	if err := e.CopyExportHistory(ctx, "history__ads", "ads", "9999-12-31", "2026-11-21"); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	scratch := ScratchDataset(cfg, testRunID)
	for i, j := range f.inserted {
		if i == 0 { // the functions the dry runs name, made in the scratch dataset
			if q := j.Configuration.Query.Query; j.Configuration.DryRun || strings.Count(q, "CREATE OR REPLACE FUNCTION `"+scratch+"`.") != strings.Count(q, "CREATE") {
				t.Errorf("a dry engine's functions: dry=%v %q", j.Configuration.DryRun, q)
			}
			continue
		}
		if !j.Configuration.DryRun || strings.Contains(j.Configuration.Query.Query, "CREATE") {
			t.Errorf("a dry engine sent a job that runs: dry=%v %q", j.Configuration.DryRun, j.Configuration.Query.Query)
		}
	}
	want := []Estimate{{"register_customers", 123456789}, {"customer_keys", 123456789}, {"leak_check__ads", 123456789}, {"copy_history_ads", 123456789}}
	if got := e.Estimates(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("estimates %v, want %v", got, want)
	}
	for _, name := range []string{"customers", transforms.TempName("customer_keys"), "history__ads"} {
		tb := f.tables[scratch+"."+name]
		if tb == nil || len(tb.Schema.Fields) != 1 || tb.Schema.Fields[0].Name != "customer_id" {
			t.Errorf("table %s: %+v", name, tb)
		}
	}
	if len(f.tables) != 3 {
		t.Errorf("tables created: %d, want 3", len(f.tables))
	}
	if fmt.Sprint(f.datasets) != fmt.Sprint([]string{scratch, "-" + scratch}) {
		t.Errorf("datasets: %v", f.datasets)
	}
}

// An export's gcs_uri is one EXPORT DATA job over its staged rows, the URI
// and format as literals, files overwritten, a CSV with its header.
func TestExportDataJob(t *testing.T) {
	f := &fakeBigQuery{}
	e, _ := newTestEngine(t, f)
	ctx := context.Background()
	defer e.Close()
	if err := e.ExportData(ctx, "meta_audience", "gs://b/meta/2026-11-21/part-*.csv", "csv", "written__meta_audience"); err != nil {
		t.Fatal(err)
	}
	job := f.inserted[0]
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
	f := &fakeBigQuery{}
	c := newTestClient(t, f, config.BigQuery{Dataset: "optout"})
	schema := bigquery.Schema{{Name: "rate", Type: bigquery.FloatFieldType},
		{Name: "s", Type: bigquery.RecordFieldType, Schema: bigquery.Schema{{Name: "share", Type: bigquery.FloatFieldType}}}}
	if err := c.EnsureDateTable(context.Background(), "metrics_x", schema, []string{"rate"}); err != nil {
		t.Fatal(err)
	}
	got := f.tables["optout.metrics_x"]
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
