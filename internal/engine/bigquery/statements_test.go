package bigquery

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/optout-dev/optout/internal/testkit/bqfake"
	"github.com/optout-dev/optout/internal/testkit/zetasql"
	"github.com/optout-dev/optout/transforms"
)

// TestEngineStatementsAnalyze: every statement the engine itself sends —
// an input's copy with its row ids, a step's CREATE TABLE AS,
// the publish transaction (a missing unpartitioned table created first),
// the copies of an earlier partition and of an export's history, the runs
// row's append, retention and EXPORT DATA — taken as sent to the server
// and checked by ZetaSQL's analyzer against the tables they name. (The
// steps' own SQL is analyzed and evaluated in internal/testkit/parity.)
func TestEngineStatementsAnalyze(t *testing.T) {
	zs := zetasql.ForTest(t)
	ctx := context.Background()
	f := bqfake.New(t)
	// The queries whose first row the engine reads: a count, the latest
	// earlier date.
	f.Answer = func(j bqfake.Job) *bqfake.Result {
		switch {
		case strings.HasSuffix(j.Step, "_count") || strings.HasPrefix(j.Step, "retention_"):
			return bqfake.Rows("n INTEGER", []any{1})
		case strings.HasPrefix(j.Step, "previous_"):
			return bqfake.Rows("dt DATE", []any{nil})
		}
		return nil
	}
	e, _ := newTestEngine(t, f)
	scratch := e.Scratch()

	// Every table a statement names, by dataset.table (project proj for
	// the outputs), and its columns; existing marks those the server has
	// before the run (the others the run creates).
	tables := []struct {
		name     string
		cols     [][2]string
		existing bool
	}{
		{"crm.customers", [][2]string{{"customer_id", "STRING"}, {"email", "STRING"}}, true},
		{scratch + ".src_customers", [][2]string{{"customer_id", "STRING"}, {"email", "STRING"}, {"_file", "STRING"}, {"_row", "INTEGER"}}, false},
		{scratch + "." + transforms.TempName("keys"), [][2]string{{"customer_id", "STRING"}}, true}, // made by the step (the fake runs no SQL), then counted
		{scratch + ".staged__customers_flagged", [][2]string{{"customer_id", "STRING"}, {"ccpa_opt_out", "BOOLEAN"}}, true},
		{scratch + ".staged__requests_ledger", [][2]string{{"request_id", "STRING"}, {"first_enforced_at", "TIMESTAMP"}}, true},
		{scratch + ".staged__notes", [][2]string{{"request_id", "STRING"}, {"dt", "DATE"}}, true},
		{"optout.third_party_notifications", [][2]string{{"dt", "DATE"}, {"request_id", "STRING"}, {"export_dt", "DATE"}}, true},
		{scratch + ".staged__runs", [][2]string{{"run_id", "STRING"}, {"rows_read", "INTEGER"}}, true},
		{scratch + ".written__ads", [][2]string{{"email", "STRING"}}, true},
		{"optout.customers_flagged", [][2]string{{"dt", "DATE"}, {"customer_id", "STRING"}, {"ccpa_opt_out", "BOOLEAN"}}, true},
		{"optout.requests_ledger", [][2]string{{"request_id", "STRING"}, {"first_enforced_at", "TIMESTAMP"}}, false},
		{"optout.optout_state", [][2]string{{"dt", "DATE"}, {"customer_id", "STRING"}}, true},
		{"optout.export_manifest", [][2]string{{"dt", "DATE"}, {"export", "STRING"}, {"destination", "STRING"}, {"run_id", "STRING"},
			{"published_at", "TIMESTAMP"}, {"rows_published", "INTEGER"}, {"published_as", "STRING"}}, true},
		{"optout.exports__ads", [][2]string{{"dt", "DATE"}, {"email", "STRING"}}, true},
		{"optout.runs", [][2]string{{"run_id", "STRING"}, {"rows_read", "INTEGER"}}, true},
	}
	kinds := map[string]string{"STRING": "TYPE_STRING", "INTEGER": "TYPE_INT64", "BOOLEAN": "TYPE_BOOL", "TIMESTAMP": "TYPE_TIMESTAMP", "DATE": "TYPE_DATE"}
	var cat zetasql.Catalog
	for _, tb := range tables {
		var cols []string
		ct := zetasql.Table{Name: tb.name}
		for _, c := range tb.cols {
			cols = append(cols, c[0]+" "+c[1])
			ct.Columns = append(ct.Columns, zetasql.Column{Name: c[0], Type: `{"typeKind": "` + kinds[c[1]] + `"}`})
		}
		if strings.HasPrefix(tb.name, "optout.") {
			ct.Name = "proj." + tb.name
		}
		cat.Tables = append(cat.Tables, ct)
		if tb.existing {
			f.AddTable(tb.name, strings.Join(cols, ", "))
		}
	}

	do := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	macros, err := transforms.MacrosStep(transforms.BigQuery)
	do("macros", err)
	_, _, err = e.Run(ctx, macros)
	do("functions", err)
	_, err = e.RegisterTable(ctx, "src_customers", "crm.customers", nil)
	do("register", err)
	_, _, err = e.Run(ctx, transforms.Step{Name: "keys", Kind: transforms.Temp, Table: "keys",
		SQL: "SELECT customer_id FROM " + e.relation("src_customers") + " WHERE _row >= ? AND optout_email(email) IS NOT NULL", Args: []any{int64(0)}})
	do("temp step", err)
	do("publish", e.Publish(ctx, "2026-11-21", []Staged{
		{Scratch: "staged__customers_flagged", Table: "customers_flagged", PerDate: true},
		{Scratch: "staged__requests_ledger", Table: "requests_ledger"},
		{Scratch: "staged__notes", Table: "third_party_notifications", PerDate: true, OwnDate: "export_dt"},
	}))
	// An own dt column with no name to publish it under is refused, not dropped.
	if err := e.Publish(ctx, "2026-11-21", []Staged{{Scratch: "staged__notes", Table: "third_party_notifications", PerDate: true}}); err == nil ||
		!strings.Contains(err.Error(), "own dt column") {
		t.Errorf("own dt without OwnDate: %v", err)
	}
	_, err = e.LatestBefore(ctx, "optout_state", "2026-11-21")
	do("latest", err)
	_, err = e.CopyOutput(ctx, "prev_optout_state", "optout_state", "2026-11-20")
	do("copy", err)
	_, err = e.ExportHistory(ctx)
	do("history", err)
	do("copy history", e.CopyExportHistory(ctx, "history__ads", "ads", []string{"2026-11-20", "2026-11-21"}))
	do("append", e.Append(ctx, "staged__runs", "runs"))
	_, err = e.DeleteBefore(ctx, "customers_flagged", "2026-08-23")
	do("retention", err)
	do("export data", e.ExportData(ctx, "ads", "gs://b/ads/part-*.csv", "csv", "written__ads"))
	do("close", e.Close())

	sent := map[string]int{}
	for _, j := range f.Jobs() {
		job := j.Sent
		q := job.Configuration.Query
		step := job.Configuration.Labels["optout_step"]
		sent[step]++
		var params []any
		for _, p := range q.QueryParameters {
			switch p.ParameterType.Type {
			case "STRING":
				params = append(params, "")
			case "INT64":
				params = append(params, int64(0))
			case "TIMESTAMP":
				params = append(params, time.Time{})
			default:
				t.Fatalf("step %s: parameter type %s", step, p.ParameterType.Type)
			}
		}
		if step == "macros" { // the functions, which the later statements call
			fns, err := zs.DefineFunctions(ctx, q.Query, cat)
			if err != nil {
				t.Fatalf("step %s: %v", step, err)
			}
			cat.Functions = fns
			continue
		}
		for _, stmt := range splitScript(q.Query) {
			if err := zs.Analyze(ctx, stmt, cat, params...); err != nil {
				t.Errorf("step %s: %v\n%s", step, err, stmt)
			}
		}
	}
	for _, step := range []string{"macros", "register_src_customers", "keys", "create_requests_ledger", "publish", "previous_optout_state",
		"copy_optout_state", "export_history", "copy_history_ads", "append_runs", "retention_customers_flagged", "gcs__ads"} {
		if sent[step] == 0 {
			t.Errorf("no statement of step %s was sent (sent: %v)", step, sent)
		}
	}
}

// splitScript splits the publish transaction into its statements (each
// ends a line with ;); any other job is one statement.
func splitScript(sql string) []string {
	if !strings.HasPrefix(sql, "BEGIN TRANSACTION;") {
		return []string{sql}
	}
	var out []string
	for _, s := range strings.Split(sql, ";\n") {
		out = append(out, strings.TrimSuffix(strings.TrimSpace(s), ";"))
	}
	return out
}
