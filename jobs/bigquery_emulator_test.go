//go:build bqemulator

package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/bigquery"
	"cloud.google.com/go/civil"
	"github.com/duckdb/duckdb-go/v2"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"

	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/internal/engine"
	bqengine "github.com/optout-dev/optout/internal/engine/bigquery"
	"github.com/optout-dev/optout/internal/exit"
	"github.com/optout-dev/optout/internal/testkit/bqemu"
	"github.com/optout-dev/optout/transforms"
)

// TestEmulatorDemo runs the demo through the real BigQuery client against
// the emulator: its inputs loaded as tables, a run for D (every step, the
// leak checks, the one-transaction publish with export_manifest last, the
// runs row), every output table compared row for row with the DuckDB run
// of the same D and now, and a run refused while another holds the
// dataset's lock.
//
// The emulator's memory grows with the square of a step's rows, so both
// engines read the demo's files cut to their first demoSampleRows rows:
// the same config, inputs and job sequence, on fewer rows. ZetaSQL's
// evaluator holds the SQL's semantics (internal/testkit/parity).
//
// The calendar starts 27 months before D in both runs (requests before it
// get no deadline on either engine): the emulator's memory grows with the
// calendar's days.
//
// What the emulator cannot do, and where it is covered instead: it keeps
// what every statement allocates (one run peaks near 1.5 GiB), so there is
// one run here, and a rerun's idempotency and the scratch dataset's
// deletion are TestEmulatorEngine's, on small tables; it has no EXPORT DATA
// (gcs_uri: TestEmulatorDefects, ZetaSQL's analysis in internal/testkit/parity and
// statements_test.go) and its dry runs execute and return no schema
// (optout plan: TestDryEngine).
func TestEmulatorDemo(t *testing.T) {
	ctx := context.Background()
	endpoint := bqemu.Start(t)
	date := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC) // after D ended in Los Angeles

	duck, err := config.Load("../testdata/demo/optout.yaml")
	if err != nil {
		t.Fatal(err)
	}
	duck.Output = t.TempDir()
	sampleDemo(t, duck)
	defer func(start time.Time) { calendarStart = start }(calendarStart)
	calendarStart = date.AddDate(0, -27, 0)
	if _, err := Run(ctx, RunOptions{Config: duck, Date: date, Now: now}); err != nil {
		t.Fatalf("duckdb run: %v", err)
	}

	client, err := bigquery.NewClient(ctx, bqemu.Project, option.WithEndpoint(endpoint), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	bq := loadDemo(t, client, duck)
	bq.BigQuery = config.BigQuery{Project: bqemu.Project, Dataset: bqemu.Dataset, Location: "US", Endpoint: endpoint}

	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	// The scratch dataset is kept: the emulator drops a table by analyzing
	// a DROP against its whole catalog, and its memory grew ~170 MB a table
	// here, so deleting the run's ~110 scratch tables took it from 16.6 GB
	// past 23 GB. TestEmulatorEngine deletes a scratch dataset.
	sum, err := Run(ctx, RunOptions{Config: bq, Date: date, Now: now, Log: log, KeepScratch: true})
	if err != nil {
		t.Fatalf("bigquery run: %v", err)
	}
	if want := "bigquery:" + bqemu.Project + "." + bqemu.Dataset; sum.Output != want {
		t.Errorf("summary output %q, want %q", sum.Output, want)
	}
	compareOutputs(t, client, duck.Output, "2026-11-21", 25)
	docsQueriesRun(t, client)
	runs := queryRows(t, client, "SELECT run_id, status, exit_code FROM optout.runs", false)
	if len(runs.rows) != 1 || !strings.Contains(runs.rows[0], sum.RunID) || !strings.Contains(runs.rows[0], "succeeded") {
		t.Errorf("runs rows %v, want the one run %s, succeeded", runs.rows, sum.RunID)
	}
	manifest := queryRows(t, client, "SELECT export FROM optout.export_manifest WHERE dt = DATE '2026-11-21'", false)
	if len(manifest.rows) != len(bq.Exports) {
		t.Errorf("export_manifest rows %v, want one per export (%d)", manifest.rows, len(bq.Exports))
	}
	kept := 0
	for _, ds := range listDatasets(t, client) {
		if strings.Contains(ds, "_scratch_") {
			kept++
		}
	}
	if kept != 1 {
		t.Errorf("%d scratch datasets after the run with KeepScratch, want 1", kept)
	}

	// One writer: a run while the lock table exists exits 4.
	lock := client.Dataset(bqemu.Dataset).Table("_optout_lock")
	if err := lock.Create(ctx, &bigquery.TableMetadata{Schema: bigquery.Schema{{Name: "run_id", Type: bigquery.StringFieldType}}, Description: "held by optout run other"}); err != nil {
		t.Fatal(err)
	}
	_, err = Run(ctx, RunOptions{Config: bq, Date: date, Now: now})
	if exit.Code(err) != exit.Locked || !strings.Contains(fmt.Sprint(err), "optout run other") {
		t.Errorf("run while locked: exit %d, %v; want exit 4 naming the holder", exit.Code(err), err)
	}
}

// docsQueriesRun runs the BigQuery sample queries of docs/tables.md on
// the run's output tables, so they cannot rot (TestDocsQueriesRun runs the
// DuckDB ones).
func docsQueriesRun(t *testing.T, client *bigquery.Client) {
	doc, err := os.ReadFile("../docs/tables.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```sql bigquery\n(.*?)```").FindAllStringSubmatch(string(doc), -1)
	if len(blocks) < 3 {
		t.Fatalf("only %d BigQuery queries in docs/tables.md", len(blocks))
	}
	for _, b := range blocks {
		q := strings.TrimSuffix(strings.TrimSpace(b[1]), ";")
		queryRows(t, client, strings.ReplaceAll(q, "DATASET", bqemu.Dataset), false)
	}
}

// demoSampleRows is how many rows of each demo file the test reads.
const demoSampleRows = 60

// sampleDemo writes the first demoSampleRows rows of every demo data file
// under a temporary folder, in the same layout (hive folders too), and
// points the config's inputs and exports at it.
func sampleDemo(t *testing.T, cfg *config.Config) {
	data := filepath.Join(filepath.Dir(cfg.File), "data")
	sample := t.TempDir()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = filepath.WalkDir(data, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".parquet") {
			return err
		}
		rel, _ := filepath.Rel(data, p)
		out := filepath.Join(sample, rel)
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return err
		}
		_, err = db.Exec(fmt.Sprintf("COPY (SELECT * FROM read_parquet(%s, hive_partitioning = false) LIMIT %d) TO %s (FORMAT parquet)",
			transforms.Literal(p), demoSampleRows, transforms.Literal(out)))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	move := func(p *string) {
		if rest, ok := strings.CutPrefix(*p, data); ok {
			*p = sample + rest
		} else {
			t.Fatalf("demo path %s is not under %s", *p, data)
		}
	}
	for _, in := range cfg.AllInputs() {
		move(&in.Path)
	}
	for i := range cfg.Exports {
		move(&cfg.Exports[i].Path)
	}
}

// loadDemo loads every demo input into dataset inputs, through the
// client's streaming inserts (the emulator cannot load Parquet), and
// returns the demo config reading those tables on engine bigquery.
func loadDemo(t *testing.T, client *bigquery.Client, duck *config.Config) *config.Config {
	ctx := context.Background()
	if err := client.Dataset("inputs").Create(ctx, &bigquery.DatasetMetadata{Location: "US"}); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	bq := *duck
	bq.Engine = "bigquery"
	bq.Output = ""
	table := func(in config.Input) config.Input {
		files, err := listFiles(in.Name, in.Path)
		if err != nil {
			t.Fatal(err)
		}
		insertDemoTable(t, db, client, in.Name, files)
		in.Path, in.Table = "", bqemu.Project+".inputs."+in.Name
		return in
	}
	bq.Inputs.Requests = nil
	for _, in := range duck.Inputs.Requests {
		bq.Inputs.Requests = append(bq.Inputs.Requests, table(in))
	}
	for _, p := range []**config.Input{&bq.Inputs.Customers, &bq.Inputs.IdentityLinks, &bq.Inputs.Traffic} {
		if *p != nil {
			in := table(**p)
			*p = &in
		}
	}
	bq.Exports = append([]config.Export(nil), duck.Exports...)
	for i := range bq.Exports {
		e := &bq.Exports[i]
		in := table(config.Input{Name: e.Name, Path: e.Path})
		e.Path, e.Table = "", in.Table
	}
	return &bq
}

// insertDemoTable creates inputs.<name> with the BigQuery form of the files'
// DuckDB columns and inserts their rows.
func insertDemoTable(t *testing.T, db *sql.DB, client *bigquery.Client, name string, files []string) {
	ctx := context.Background()
	lits := make([]string, len(files))
	for i, f := range files {
		lits[i] = transforms.Literal(f)
	}
	from := fmt.Sprintf("read_parquet([%s], hive_partitioning = true, union_by_name = true)", strings.Join(lits, ", "))
	cols, err := db.QueryContext(ctx, "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM "+from+")")
	if err != nil {
		t.Fatal(err)
	}
	var schema bigquery.Schema
	for cols.Next() {
		var col, typ string
		if err := cols.Scan(&col, &typ); err != nil {
			t.Fatal(err)
		}
		f, err := bqField(col, typ)
		if err != nil {
			t.Fatalf("input %s: %v", name, err)
		}
		schema = append(schema, f)
	}
	cols.Close()
	tbl := client.Dataset("inputs").Table(name)
	if err := tbl.Create(ctx, &bigquery.TableMetadata{Schema: schema}); err != nil {
		t.Fatal(err)
	}
	rows, err := db.QueryContext(ctx, "SELECT * FROM "+from)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var savers []*bigquery.ValuesSaver
	for rows.Next() {
		vals := make([]any, len(schema))
		ptrs := make([]any, len(schema))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make([]bigquery.Value, len(schema))
		for i, f := range schema {
			row[i] = bqValue(f, vals[i])
		}
		savers = append(savers, &bigquery.ValuesSaver{Schema: schema, InsertID: bigquery.NoDedupeID, Row: row})
	}
	if len(savers) == 0 {
		return
	}
	if nestedTimestamp(schema, false) {
		insertLiterals(t, client, name, schema, savers)
		return
	}
	// The client retries a refused insert for ever; bound it to see why.
	pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := tbl.Inserter().Put(pctx, savers); err != nil {
		t.Fatalf("insert into inputs.%s: %v", name, err)
	}
}

// nestedTimestamp reports whether schema has a TIMESTAMP inside a record.
// The emulator keeps such a value, when it arrives by streaming insert, as
// it came (a TIMESTAMP to the catalog, not to the SQL functions:
// DATETIME() rejects it), so those tables are loaded by INSERT statements.
func nestedTimestamp(schema bigquery.Schema, nested bool) bool {
	for _, f := range schema {
		if (nested && f.Type == bigquery.TimestampFieldType) || (f.Type == bigquery.RecordFieldType && nestedTimestamp(f.Schema, true)) {
			return true
		}
	}
	return false
}

// insertLiterals inserts the rows with one INSERT ... VALUES of typed literals.
func insertLiterals(t *testing.T, client *bigquery.Client, name string, schema bigquery.Schema, rows []*bigquery.ValuesSaver) {
	ctx := context.Background()
	cols := make([]string, len(schema))
	for i, f := range schema {
		cols[i] = transforms.BigQuery.Ident(f.Name)
	}
	values := make([]string, len(rows))
	for i, r := range rows {
		lits := make([]string, len(schema))
		for j, f := range schema {
			lits[j] = bqLiteral(f, r.Row[j])
		}
		values[i] = "(" + strings.Join(lits, ", ") + ")"
	}
	job, err := client.Query(fmt.Sprintf("INSERT INTO inputs.%s (%s) VALUES\n%s", name, strings.Join(cols, ", "), strings.Join(values, ",\n"))).Run(ctx)
	if err == nil {
		var st *bigquery.JobStatus
		if st, err = job.Wait(ctx); err == nil {
			err = st.Err()
		}
	}
	if err != nil {
		t.Fatalf("insert into inputs.%s: %v", name, err)
	}
}

// bqLiteral is a GoogleSQL literal of a value of field f (as bqValue gives it).
func bqLiteral(f *bigquery.FieldSchema, v bigquery.Value) string {
	if f.Repeated {
		elem := *f
		elem.Repeated = false
		var parts []string
		for _, e := range v.([]bigquery.Value) {
			parts = append(parts, bqLiteral(&elem, e))
		}
		return "ARRAY<" + bqType(&elem) + ">[" + strings.Join(parts, ", ") + "]"
	}
	if v == nil {
		return "CAST(NULL AS " + bqType(f) + ")"
	}
	switch f.Type {
	case bigquery.RecordFieldType:
		vals := v.([]bigquery.Value)
		parts := make([]string, len(f.Schema))
		for i, sf := range f.Schema {
			parts[i] = bqLiteral(sf, vals[i])
		}
		return bqType(f) + "(" + strings.Join(parts, ", ") + ")"
	case bigquery.StringFieldType:
		return transforms.BigQuery.Literal(fmt.Sprint(v))
	case bigquery.IntegerFieldType, bigquery.BooleanFieldType:
		return fmt.Sprint(v)
	case bigquery.FloatFieldType:
		return "CAST('" + fmt.Sprint(v) + "' AS FLOAT64)"
	case bigquery.DateFieldType:
		return "DATE '" + fmt.Sprint(v) + "'"
	case bigquery.TimestampFieldType:
		return "TIMESTAMP '" + v.(time.Time).UTC().Format("2006-01-02 15:04:05.999999") + "+00'"
	}
	return "ERROR('the test has no literal for type " + string(f.Type) + "')" // fails the INSERT, naming the type
}

// bqType is the GoogleSQL name of field f's type.
func bqType(f *bigquery.FieldSchema) string {
	t := map[bigquery.FieldType]string{bigquery.StringFieldType: "STRING", bigquery.IntegerFieldType: "INT64", bigquery.FloatFieldType: "FLOAT64",
		bigquery.BooleanFieldType: "BOOL", bigquery.DateFieldType: "DATE", bigquery.TimestampFieldType: "TIMESTAMP"}[f.Type]
	if f.Type == bigquery.RecordFieldType {
		parts := make([]string, len(f.Schema))
		for i, sf := range f.Schema {
			parts[i] = transforms.BigQuery.Ident(sf.Name) + " " + bqType(sf)
		}
		t = "STRUCT<" + strings.Join(parts, ", ") + ">"
	}
	if f.Repeated {
		return "ARRAY<" + t + ">"
	}
	return t
}

// bqField is the BigQuery column of a DuckDB type: lists are repeated,
// structs records, maps repeated (key, value) records.
func bqField(name, typ string) (*bigquery.FieldSchema, error) {
	if elem, ok := strings.CutSuffix(typ, "[]"); ok {
		f, err := bqField(name, elem)
		if err != nil {
			return nil, err
		}
		f.Repeated = true
		return f, nil
	}
	f := &bigquery.FieldSchema{Name: name}
	switch {
	case strings.HasPrefix(typ, "STRUCT(") || strings.HasPrefix(typ, "MAP("):
		inner := typ[strings.IndexByte(typ, '(')+1 : len(typ)-1]
		parts := splitTop(inner)
		f.Type = bigquery.RecordFieldType
		if strings.HasPrefix(typ, "MAP(") {
			parts = []string{"key " + strings.TrimSpace(parts[0]), "value " + strings.TrimSpace(parts[1])}
			f.Repeated = true
		}
		for _, p := range parts {
			p = strings.TrimSpace(p)
			sub, subType, _ := strings.Cut(p, " ")
			if strings.HasPrefix(p, `"`) {
				end := strings.Index(p[1:], `"`) + 1
				sub, subType = p[1:end], strings.TrimSpace(p[end+1:])
			}
			sf, err := bqField(sub, subType)
			if err != nil {
				return nil, err
			}
			f.Schema = append(f.Schema, sf)
		}
	case typ == "VARCHAR":
		f.Type = bigquery.StringFieldType
	case typ == "BIGINT" || typ == "INTEGER" || typ == "SMALLINT" || typ == "TINYINT" || typ == "HUGEINT" || typ == "UBIGINT" || typ == "UINTEGER":
		f.Type = bigquery.IntegerFieldType
	case typ == "DOUBLE" || typ == "FLOAT":
		f.Type = bigquery.FloatFieldType
	case typ == "BOOLEAN":
		f.Type = bigquery.BooleanFieldType
	case typ == "DATE":
		f.Type = bigquery.DateFieldType
	case strings.HasPrefix(typ, "TIMESTAMP"):
		f.Type = bigquery.TimestampFieldType
	default:
		return nil, fmt.Errorf("column %s: no BigQuery type for %s", name, typ)
	}
	return f, nil
}

// splitTop splits s on the commas outside parentheses.
func splitTop(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, c := range s {
		switch c {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// bqValue converts a value scanned from DuckDB to the client's form of f.
func bqValue(f *bigquery.FieldSchema, v any) bigquery.Value {
	if v == nil && f.Repeated {
		return []bigquery.Value{} // BigQuery has no NULL array: it stores an empty one
	}
	if v == nil {
		return nil
	}
	if f.Repeated {
		elem := *f
		elem.Repeated = false
		var out []bigquery.Value
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				out = append(out, bqValue(&elem, e))
			}
		case duckdb.OrderedMap: // the driver's map, in DuckDB's entry order (map_entries')
			vals := x.Values()
			for i, k := range x.Keys() {
				out = append(out, []bigquery.Value{fmt.Sprint(k), bqValue(elem.Schema[1], vals[i])})
			}
		case duckdb.Map:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, fmt.Sprint(k))
			}
			sort.Strings(keys)
			for _, k := range keys {
				out = append(out, []bigquery.Value{k, bqValue(elem.Schema[1], x[k])})
			}
		}
		return out
	}
	switch f.Type {
	case bigquery.RecordFieldType:
		m := v.(map[string]any)
		out := make([]bigquery.Value, len(f.Schema))
		for i, sf := range f.Schema {
			out[i] = bqValue(sf, m[sf.Name])
		}
		return out
	case bigquery.DateFieldType:
		return civil.DateOf(v.(time.Time))
	case bigquery.IntegerFieldType:
		n, _ := strconv.ParseInt(fmt.Sprint(v), 10, 64)
		return n
	}
	return v
}

type table struct {
	cols []string
	rows []string // canonical rows
}

// compareOutputs compares every output table of date dt that the DuckDB
// run wrote under dir with the same table on the emulator.
func compareOutputs(t *testing.T, client *bigquery.Client, dir, dt string, minTables int) {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	files, _ := filepath.Glob(filepath.Join(dir, "*", "dt="+dt, "*"))
	more, _ := filepath.Glob(filepath.Join(dir, "*", "*", "dt="+dt, "*"))
	files = append(append(files, more...), filepath.Join(dir, "requests_ledger", "part-0.parquet"))
	compared := 0
	for _, f := range files {
		if strings.HasPrefix(filepath.Base(f), "_") {
			continue
		}
		rel, _ := filepath.Rel(dir, filepath.Dir(f))
		perDate := strings.Contains(rel, "dt=")
		rel = strings.TrimSuffix(rel, string(filepath.Separator)+"dt="+dt)
		name := bqengine.OutputTable(filepath.ToSlash(rel))
		csv := strings.HasSuffix(f, ".csv")
		want := duckRows(t, db, f, csv, engine.OwnDate(filepath.ToSlash(rel)))
		q := "SELECT * FROM optout." + transforms.BigQuery.Ident(name)
		var skip []string
		if perDate {
			q += " WHERE dt = DATE '" + dt + "'"
			skip = []string{"dt"} // the partition column
		}
		got := queryRows(t, client, q, csv, skip...)
		if diff := diffTables(want, got); diff != "" {
			t.Errorf("output %s (%s): %s", name, rel, diff)
		}
		compared++
	}
	if compared < minTables {
		t.Errorf("compared %d output tables; the demo writes %d or more", compared, minTables)
	}
}

// ignoredColumns differ by design: a quarantined row's source_file is the
// file's path on DuckDB and "table:NAME" on BigQuery.
var ignoredColumns = map[string]bool{"source_file": true}

func duckRows(t *testing.T, db *sql.DB, file string, csv bool, dtAs string) table {
	// The file's own columns: not the dt of its hive folder, which on
	// BigQuery is the partition column (left out below).
	from := "read_parquet(" + transforms.Literal(file) + ", hive_partitioning = false)"
	if csv {
		from = "read_csv(" + transforms.Literal(file) + ", header = true, all_varchar = true, hive_partitioning = false)"
	}
	star := "*"
	if dtAs != "" { // DuckDB skips a RENAME of a column the file lacks
		star = "* RENAME (dt AS " + dtAs + ")"
	}
	rows, err := db.Query("SELECT " + star + " FROM " + from)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	out := table{cols: cols}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out.rows = append(out.rows, canonRow(cols, vals))
	}
	return out
}

// queryRows reads a query's rows page by page; csv: every value as text,
// as the DuckDB side reads a CSV file.
func queryRows(t *testing.T, client *bigquery.Client, q string, csv bool, skip ...string) table {
	t.Helper()
	it, err := client.Query(q).Read(context.Background())
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	var out table
	keep := func(name string) bool { return !slices.Contains(skip, name) }
	for {
		var row []bigquery.Value
		err := it.Next(&row)
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		var vals []any
		for i, v := range row {
			if keep(it.Schema[i].Name) {
				vals = append(vals, fromBQ(it.Schema[i], v, csv))
			}
		}
		out.rows = append(out.rows, canonRow(columns(it.Schema, keep), vals))
	}
	out.cols = columns(it.Schema, keep)
	return out
}

func columns(schema bigquery.Schema, keep func(string) bool) []string {
	var out []string
	for _, f := range schema {
		if keep(f.Name) {
			out = append(out, f.Name)
		}
	}
	return out
}

// fromBQ gives a BigQuery value DuckDB's Go form: records as maps by name,
// arrays as lists; csv: scalars as the text DuckDB writes into CSV.
func fromBQ(f *bigquery.FieldSchema, v bigquery.Value, csv bool) any {
	if v == nil {
		return nil
	}
	if f.Repeated {
		elem := *f
		elem.Repeated = false
		var out []any
		for _, e := range v.([]bigquery.Value) {
			out = append(out, fromBQ(&elem, e, csv))
		}
		if out == nil {
			out = []any{}
		}
		return out
	}
	if f.Type == bigquery.RecordFieldType {
		m := map[string]any{}
		for i, sf := range f.Schema {
			m[sf.Name] = fromBQ(sf, v.([]bigquery.Value)[i], csv)
		}
		return m
	}
	if csv {
		switch x := v.(type) {
		case time.Time:
			return x.UTC().Format("2006-01-02 15:04:05.999999") + "+00"
		case bool:
			return strconv.FormatBool(x)
		}
		return fmt.Sprint(v)
	}
	return v
}

func canonRow(cols []string, vals []any) string {
	parts := make([]string, 0, len(cols))
	for i, c := range cols {
		if ignoredColumns[c] {
			continue
		}
		parts = append(parts, c+"="+canon(vals[i]))
	}
	sort.Strings(parts)
	return strings.Join(parts, " | ")
}

// canon is a value's text for comparison: instants in UTC, dates as days,
// maps (DuckDB MAP, or BigQuery's list of key/value records) as lists of
// records.
func canon(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case time.Time:
		x = x.UTC()
		if x.Equal(x.Truncate(24 * time.Hour)) {
			return x.Format(time.DateOnly)
		}
		return x.Format(time.RFC3339Nano)
	case civil.Date:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'g', 12, 64)
	case []any:
		if len(x) == 0 {
			return "null" // BigQuery stores a NULL array as an empty one
		}
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = canon(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case duckdb.Map:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, fmt.Sprint(k))
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = canon(map[string]any{"key": k, "value": x[k]})
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + ": " + canon(x[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v)
}

// diffTables compares columns (BigQuery adds dt to per-date tables) and
// rows in any order.
func diffTables(want, got table) string {
	var gotCols, wantCols []string
	for _, c := range got.cols {
		if !ignoredColumns[c] {
			gotCols = append(gotCols, c)
		}
	}
	for _, c := range want.cols {
		if !ignoredColumns[c] {
			wantCols = append(wantCols, c)
		}
	}
	sort.Strings(gotCols)
	sort.Strings(wantCols)
	if strings.Join(wantCols, ",") != strings.Join(gotCols, ",") {
		return fmt.Sprintf("columns: duckdb %v, bigquery %v", wantCols, gotCols)
	}
	count := map[string]int{}
	for _, r := range want.rows {
		count[r]++
	}
	for _, r := range got.rows {
		count[r]--
	}
	var onlyDuck, onlyBQ []string
	for r, n := range count {
		switch {
		case n > 0:
			onlyDuck = append(onlyDuck, fmt.Sprintf("only on duckdb (%d×): %s", n, r))
		case n < 0:
			onlyBQ = append(onlyBQ, fmt.Sprintf("only on bigquery (%d×): %s", -n, r))
		}
	}
	if len(onlyDuck)+len(onlyBQ) == 0 {
		return ""
	}
	sort.Strings(onlyDuck)
	sort.Strings(onlyBQ)
	first := func(lines []string) []string {
		if len(lines) > 4 {
			return append(lines[:4:4], fmt.Sprintf("... %d more", len(lines)-4))
		}
		return lines
	}
	return fmt.Sprintf("%d duckdb rows, %d bigquery rows:\n%s", len(want.rows), len(got.rows), strings.Join(append(first(onlyDuck), first(onlyBQ)...), "\n"))
}

func listDatasets(t *testing.T, client *bigquery.Client) []string {
	var out []string
	it := client.Datasets(context.Background())
	for {
		ds, err := it.Next()
		if errors.Is(err, iterator.Done) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ds.DatasetID)
	}
}
