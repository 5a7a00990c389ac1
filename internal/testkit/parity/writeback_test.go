package parity

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/internal/engine/duckdb"
	"github.com/optout-dev/optout/internal/testkit/zetasql"
	"github.com/optout-dev/optout/jobs"
	"github.com/optout-dev/optout/transforms"
)

// TestWriteBackMatchesDuckDB holds the BigQuery write-back to DuckDB's on
// the case folders. Each case's customers become a table of a DuckDB
// warehouse with write_back: true, and every run of the case writes its
// flags back there through the real job. After each run, the BigQuery
// write-back of the same date is run on a copy of the table as BigQuery
// would run it, from D's flags as published (and the earlier dates'
// partitions beside them): its ALTER TABLE analyzed by ZetaSQL and applied
// by hand (ZetaSQL's reference engine runs no DDL), its UPDATE analyzed
// and evaluated by the reference engine. The two tables must then be the
// same, save one documented difference (see expectedBigQuery); the rows
// changed must be the same from the second write-back on (on the first,
// BigQuery writes every flagged row: its new columns start NULL, not
// false); and the same write-back run again must change no row.
// It runs the cases of writeBackCases, not all: each takes ~4 s of the
// machine, and these hold every shape of table and of change the two
// statements meet.
func TestWriteBackMatchesDuckDB(t *testing.T) {
	srv := zetasql.ForTest(t)
	for _, c := range writeBackCases {
		dir := filepath.Join("../../../testdata/cases", c)
		if _, err := os.Stat(filepath.Join(dir, "optout.yaml")); err != nil {
			t.Fatalf("case %s: %v", c, err)
		}
		t.Run(c, func(t *testing.T) {
			t.Parallel()
			writeBackCase(t, srv, dir)
		})
	}
}

// writeBackCases: several dates each (22, 29, 30, 31, 65, 74), a row
// without a customer_id (28), integer ids (72), an opt-in after an
// opt-out (06), partial and channel categories (16), identity links (20).
var writeBackCases = []string{"06_opt_in_after_opt_out", "16_partial_and_channel_categories", "20_identity_links", "22_quarantine_reasons",
	"28_customer_without_id", "29_flag_changes", "30_flag_changes_next_day_empty", "31_first_enforced_never_changes",
	"65_third_party_notifications", "72_integer_identifiers", "74_export_csv_formula_guard"}

func writeBackCase(t *testing.T, srv *zetasql.Server, dir string) {
	ctx := context.Background()
	work := caseInputs(t, dir)
	cfg, err := config.Load(filepath.Join(work, "optout.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	wh := filepath.Join(work, "warehouse.duckdb")
	var customers table
	warehouse(t, wh, func(eng *duckdb.Engine) {
		query(t, eng, "CREATE TABLE customers AS SELECT * FROM read_parquet("+transforms.Literal(cfg.Inputs.Customers.Path)+")")
		customers = mustReadTable(t, eng, "customers", "")
	})
	cfg.DuckDB.Database = wh
	cfg.Inputs.Customers = &config.Input{Name: "customers", Table: "customers", Format: "canonical", WriteBack: true}
	id := customers.cols[slices.IndexFunc(customers.cols, func(c string) bool { return strings.EqualFold(c, "customer_id") })]

	// BigQuery's side: the customers table with a row key first (the
	// reference engine names a touched row by it), and customers_flagged.
	bq := table{name: "customers", cols: append([]string{"_row"}, customers.cols...), types: append([]sqlType{{kind: "INT64"}}, customers.types...)}
	for i, r := range customers.cells {
		bq.cells = append(bq.cells, append([]string{fmt.Sprintf(`{"int64Value": "%d"}`, i)}, r...))
	}
	var published table

	for i, r := range caseRuns(t, dir) {
		day := r.date.Format(time.DateOnly)
		sum, err := jobs.Run(ctx, jobs.RunOptions{Config: cfg, Date: r.date, Now: r.now, Provisional: r.provisional})
		if err != nil {
			t.Fatalf("run for %s: %v", day, err)
		}
		var duck, flags table
		var duckChanged int64
		warehouse(t, wh, func(eng *duckdb.Engine) {
			duck = mustReadTable(t, eng, "customers", "")
			rows := query(t, eng, "SELECT write_back_rows FROM read_parquet("+transforms.Literal(filepath.Join(cfg.Output, "runs", "*.parquet"))+") WHERE run_id = ? AND status = 'succeeded'", sum.RunID)
			if len(rows) != 1 {
				t.Fatalf("run %s: %d runs rows", sum.RunID, len(rows))
			}
			duckChanged = rows[0]["write_back_rows"].(int64)
			query(t, eng, fmt.Sprintf("CREATE TEMP VIEW flags AS SELECT DATE %s AS dt, %s, ccpa_opt_out, opt_out_date, opt_out_categories FROM read_parquet(%s)",
				transforms.Literal(day), transforms.Ident(id), transforms.Literal(filepath.Join(cfg.Output, "customers_flagged", "dt="+day, "*.parquet"))))
			flags = mustReadTable(t, eng, "flags", "")
		})
		if published.name == "" {
			published = table{name: "customers_flagged", cols: flags.cols, types: flags.types}
		}
		published.cells = append(published.cells, flags.cells...)

		changed := bigQueryWriteBack(t, srv, &bq, published, id, r.date)
		want := expectedBigQuery(t, duck, flags, id)
		got := bqCanon(t, bq)
		if diff := compare(want, got); diff != "" {
			t.Errorf("%s: the customers table written back on BigQuery differs from DuckDB's:\n%s", day, diff)
		}
		t.Logf("%s: %d customers, %d flagged; rows changed: BigQuery %d, DuckDB %d", day, len(bq.cells), len(flags.cells), changed, duckChanged)
		switch {
		case i == 0 && changed != int64(len(flags.cells)):
			t.Errorf("%s: the first BigQuery write-back changed %d rows, want every one of the %d flagged", day, changed, len(flags.cells))
		case i > 0 && changed != duckChanged:
			t.Errorf("%s: BigQuery's write-back changed %d rows, DuckDB's %d", day, changed, duckChanged)
		}
		if again := bigQueryWriteBack(t, srv, &bq, published, id, r.date); again != 0 {
			t.Errorf("%s: the BigQuery write-back run again changed %d rows", day, again)
		}
	}
}

// warehouse opens the DuckDB warehouse file for f, then closes it (a run
// opens it itself).
func warehouse(t *testing.T, file string, f func(*duckdb.Engine)) {
	t.Helper()
	eng, err := duckdb.Open(context.Background(), config.DuckDB{Database: file})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	f(eng)
}

// bigQueryWriteBack runs the BigQuery write-back of date d on tb, the
// customers table (its row key first), reading D's partition of flagged,
// and returns the rows changed. The ALTER TABLE is analyzed, and its
// effect applied here, since the reference engine runs no DDL: each
// missing flag column is added empty, as BigQuery adds a column to a
// table with rows (NULL; an ARRAY column reads as []). The UPDATE is
// analyzed, then evaluated, and the rows it touched replace theirs.
func bigQueryWriteBack(t *testing.T, srv *zetasql.Server, tb *table, flagged table, id string, d time.Time) int64 {
	t.Helper()
	ctx := context.Background()
	steps, err := transforms.WriteBackSteps(transforms.BigQuery, transforms.WriteBack{Table: transforms.BigQuery.Ident(tb.name),
		IDColumn: transforms.BigQuery.Ident(id), FlaggedTable: transforms.BigQuery.Ident(flagged.name), Date: d})
	if err != nil {
		t.Fatal(err)
	}
	catalog := func() zetasql.Catalog {
		c := tb.catalog()
		c.PrimaryKey = []int{0}
		return zetasql.Catalog{Tables: []zetasql.Table{c, flagged.catalog()}}
	}
	alter, update := steps[0], steps[1]
	if err := srv.Analyze(ctx, alter.SQL, catalog(), alter.Args...); err != nil {
		t.Fatalf("ZetaSQL analysis: %v\n%s", err, alter.SQL)
	}
	added := map[string]sqlType{"ccpa_opt_out": {kind: "BOOL"}, "opt_out_date": {kind: "TIMESTAMP"}, "opt_out_categories": {kind: "ARRAY", elem: &sqlType{kind: "STRING"}}}
	for _, col := range transforms.CustomerFlagColumns {
		if slices.Contains(tb.cols, col) {
			continue
		}
		if add := "ADD COLUMN IF NOT EXISTS " + col + " " + added[col].name(); !strings.Contains(alter.SQL, add) {
			t.Fatalf("the ALTER TABLE lacks %q:\n%s", add, alter.SQL)
		}
		empty := "{}"
		if added[col].kind == "ARRAY" {
			empty = `{"arrayValue": {}}`
		}
		tb.cols, tb.types = append(tb.cols, col), append(tb.types, added[col])
		for i := range tb.cells {
			tb.cells[i] = append(tb.cells[i], empty)
		}
	}
	if err := srv.Analyze(ctx, update.SQL, catalog(), update.Args...); err != nil {
		t.Fatalf("ZetaSQL analysis: %v\n%s", err, update.SQL)
	}
	sql, err := inlineParams(update.SQL, update.Args)
	if err != nil {
		t.Fatal(err)
	}
	touched, err := srv.EvaluateModify(ctx, sql, catalog(), map[string][][]string{tb.name: tb.cells, flagged.name: flagged.cells})
	if err != nil {
		t.Fatalf("ZetaSQL evaluation: %v\n%s", err, sql)
	}
	row := map[string]int{}
	for i, r := range tb.cells {
		row[rowKey(t, r[0])] = i
	}
	for _, m := range touched {
		i, ok := row[rowKey(t, string(m.OldKey[0]))]
		if m.Operation != "UPDATE" || len(m.OldKey) != 1 || !ok || len(m.Cells) != len(tb.cols) {
			t.Fatalf("the update touched %+v", m)
		}
		for j, c := range m.Cells {
			tb.cells[i][j] = string(c)
		}
	}
	return int64(len(touched))
}

// name is t's GoogleSQL name.
func (t sqlType) name() string {
	if t.kind == "ARRAY" {
		return "ARRAY<" + t.elem.name() + ">"
	}
	return t.kind
}

func rowKey(t *testing.T, cell string) string {
	k, err := zetaCanon([]byte(`{"typeKind": "TYPE_INT64"}`), []byte(cell))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// tableRows renders a table's cells in compare's form, leaving out the
// columns named in skip.
func tableRows(t *testing.T, tb table, skip string) result {
	t.Helper()
	var res result
	for _, c := range tb.cols {
		if c != skip {
			res.cols = append(res.cols, c)
		}
	}
	for _, r := range tb.cells {
		var vs []string
		for j, cell := range r {
			if tb.cols[j] == skip {
				continue
			}
			v, err := zetaCanon([]byte(tb.types[j].proto()), []byte(cell))
			if err != nil {
				t.Fatal(err)
			}
			vs = append(vs, v)
		}
		res.rows = append(res.rows, "("+strings.Join(vs, ", ")+")")
	}
	return res
}

// bqCanon is BigQuery's customers table without its row key.
func bqCanon(t *testing.T, bq table) result { return tableRows(t, bq, "_row") }

// expectedBigQuery is the BigQuery table DuckDB's written-back table
// stands for. One difference is by design: a row no run flags (its
// customer_id is empty, so it is not in customers_flagged) keeps the
// ccpa_opt_out its added column started with, which is false on DuckDB
// (the column's DEFAULT) and NULL on BigQuery (added empty).
func expectedBigQuery(t *testing.T, duck, flags table, id string) result {
	flagged := map[string]bool{}
	idAt := slices.Index(flags.cols, id)
	for _, r := range flags.cells {
		flagged[r[idAt]] = true
	}
	at := slices.Index(duck.cols, "ccpa_opt_out")
	out := table{name: duck.name, cols: duck.cols, types: duck.types}
	for _, r := range duck.cells {
		r = slices.Clone(r)
		if !flagged[r[slices.Index(duck.cols, id)]] && r[at] == `{"boolValue": false}` {
			r[at] = "{}"
		}
		out.cells = append(out.cells, r)
	}
	return tableRows(t, out, "")
}

// TestWriteBackEdgesMatchDuckDB: the update of both engines on a table
// written back before, row by row against D's flags: equal flags (left
// alone), only the categories differ, only their order, only the date,
// a NULL date, a NULL ccpa_opt_out, a NULL list against [], a customer D
// does not flag (left alone). DuckDB runs its statements; BigQuery's are
// evaluated by ZetaSQL on the same rows. The tables after, and the rows
// changed, must be the same, and a second update changes nothing.
func TestWriteBackEdgesMatchDuckDB(t *testing.T) {
	srv := zetasql.ForTest(t)
	ctx := context.Background()
	dir := t.TempDir()
	eng, err := duckdb.Open(ctx, config.DuckDB{})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	at := "TIMESTAMPTZ '2026-11-20 08:00:00+00'"
	query(t, eng, `CREATE TABLE customers AS SELECT * FROM (VALUES
		('same', true, `+at+`, ['advertising']),
		('categories', true, `+at+`, ['advertising']),
		('order', true, `+at+`, ['sale', 'advertising']),
		('date', true, `+at+` - INTERVAL 1 DAY, ['advertising']),
		('no_date', true, NULL, ['advertising']),
		('null_flag', NULL, NULL, []),
		('null_list', false, NULL, NULL),
		('opted_in', true, `+at+`, ['advertising']),
		('not_flagged', true, `+at+`, ['advertising'])
	) AS t(customer_id, ccpa_opt_out, opt_out_date, opt_out_categories)`)
	flagsFile := filepath.Join(dir, "flags.parquet")
	query(t, eng, `COPY (SELECT * FROM (VALUES
		('same', true, `+at+`, ['advertising']),
		('categories', true, `+at+`, ['advertising', 'analytics']),
		('order', true, `+at+`, ['advertising', 'sale']),
		('date', true, `+at+`, ['advertising']),
		('no_date', true, `+at+`, ['advertising']),
		('null_flag', false, NULL, []),
		('null_list', false, NULL, []),
		('opted_in', false, NULL, [])
	) AS t(customer_id, ccpa_opt_out, opt_out_date, opt_out_categories)) TO `+transforms.Literal(flagsFile)+` (FORMAT parquet)`)
	query(t, eng, "CREATE TEMP VIEW flags AS SELECT DATE '2026-11-21' AS dt, * FROM read_parquet("+transforms.Literal(flagsFile)+")")
	before := mustReadTable(t, eng, "customers", "")
	published := mustReadTable(t, eng, "flags", "")
	published.name = "customers_flagged"

	steps, err := transforms.WriteBackSteps(transforms.DuckDB, transforms.WriteBack{Table: transforms.Ident("customers"), IDColumn: transforms.Ident("customer_id"), FlaggedFile: flagsFile})
	if err != nil {
		t.Fatal(err)
	}
	var duckChanged int64
	for _, s := range steps {
		if duckChanged, _, err = eng.Run(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	duck := mustReadTable(t, eng, "customers", "")

	bq := table{name: "customers", cols: append([]string{"_row"}, before.cols...), types: append([]sqlType{{kind: "INT64"}}, before.types...)}
	for i, r := range before.cells {
		bq.cells = append(bq.cells, append([]string{fmt.Sprintf(`{"int64Value": "%d"}`, i)}, r...))
	}
	d := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	changed := bigQueryWriteBack(t, srv, &bq, published, "customer_id", d)
	if diff := compare(tableRows(t, duck, ""), bqCanon(t, bq)); diff != "" {
		t.Errorf("the table written back on BigQuery differs from DuckDB's:\n%s", diff)
	}
	if changed != duckChanged || changed != 7 {
		t.Errorf("rows changed: BigQuery %d, DuckDB %d; want the 7 whose flags differ", changed, duckChanged)
	}
	if again := bigQueryWriteBack(t, srv, &bq, published, "customer_id", d); again != 0 {
		t.Errorf("the BigQuery write-back run again changed %d rows", again)
	}
}
