//go:build duckdb_arrow

package cli

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/extensions"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/optout-dev/optout/internal/redact"
)

// writeIPC writes the batches with arrow-go: the IPC file format, or the
// stream format when stream is set.
func writeIPC(t *testing.T, path string, stream bool, schema *arrow.Schema, batches ...arrow.RecordBatch) {
	t.Helper()
	mkdirFor(t, path)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type writer interface {
		Write(arrow.RecordBatch) error
		Close() error
	}
	var w writer
	if stream {
		w = ipc.NewWriter(f, ipc.WithSchema(schema))
	} else {
		if w, err = ipc.NewFileWriter(f, ipc.WithSchema(schema)); err != nil {
			t.Fatal(err)
		}
	}
	for _, b := range batches {
		if err := w.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// parquetToIPC reads a Parquet file as Arrow batches (through DuckDB's
// Arrow interface) and writes them with arrow-go to path.
func parquetToIPC(t *testing.T, db *sql.DB, from, to string, stream bool) {
	t.Helper()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		ar, err := duckdb.NewArrowFromConn(dc.(driver.Conn))
		if err != nil {
			return err
		}
		rr, err := ar.QueryContext(context.Background(), fmt.Sprintf("SELECT * FROM read_parquet('%s', hive_partitioning = false)", from))
		if err != nil {
			return err
		}
		defer rr.Release()
		var batches []arrow.RecordBatch
		for rr.Next() {
			b := rr.RecordBatch()
			b.Retain()
			batches = append(batches, b)
		}
		writeIPC(t, to, stream, rr.Schema(), batches...)
		for _, b := range batches {
			b.Release()
		}
		return rr.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestArrowDemoEqualsParquet turns the demo's inputs — canonical, XDM,
// Campaign and segment sources — into Arrow IPC (file and stream format,
// .arrow/.ipc/.feather), leaving half of the web_form months and Campaign
// snapshots as Parquet in the same source, and checks that the run's outputs
// equal the all-Parquet run's row for row.
func TestArrowDemoEqualsParquet(t *testing.T) {
	data, _ := filepath.Abs("../../../testdata/demo/data")
	mixed := filepath.Join(t.TempDir(), "data")
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	renamed := map[string]string{} // config path suffix → its Arrow name
	i := 0
	err = filepath.WalkDir(data, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(data, p)
		to := filepath.Join(mixed, rel)
		i++
		switch {
		case (strings.HasPrefix(rel, "requests/web_form/") || strings.HasPrefix(rel, "requests/campaign/")) && i%2 == 0:
			copyFile(t, p, mkdirFor(t, to)) // stays Parquet
		case strings.HasPrefix(rel, "requests/web_form/") || strings.HasPrefix(rel, "requests/campaign/"):
			parquetToIPC(t, db, p, strings.TrimSuffix(to, ".parquet")+".arrow", i%3 == 0)
		default:
			ext := map[bool]string{true: ".ipc", false: ".arrow"}[i%2 == 0]
			if strings.HasPrefix(rel, "customers/") {
				ext = ".feather"
			}
			parquetToIPC(t, db, p, strings.TrimSuffix(to, ".parquet")+ext, ext == ".ipc")
			renamed[rel] = strings.TrimSuffix(rel, ".parquet") + ext
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	cfgParquet, outParquet := demoConfig(t, nil)
	cfgArrow, outArrow := demoConfig(t, func(s string) string {
		s = strings.ReplaceAll(s, data+"/", mixed+"/")
		s = strings.ReplaceAll(s, "/**/*.parquet", "/**/*")
		for from, to := range renamed {
			s = strings.ReplaceAll(s, mixed+"/"+from, mixed+"/"+to)
		}
		return s
	})
	for _, cfg := range []string{cfgParquet, cfgArrow} {
		if code, _, se := run(t, append([]string{"run", "--config", cfg}, demoRun...)...); code != 0 {
			t.Fatalf("exit %d\n%s", code, se)
		}
	}
	arrowFiles, _ := filepath.Glob(filepath.Join(mixed, "requests", "web_form", "*", "*.arrow"))
	if len(arrowFiles) == 0 || len(renamed) < 6 {
		t.Fatalf("the fixture should mix formats: %d Arrow web_form files, %d renamed inputs", len(arrowFiles), len(renamed))
	}
	// The vendor formats' nested columns (lists of structs, maps) travel as Arrow too.
	for _, rel := range []string{"requests/xdm_profiles.parquet", "requests/pixel_segment.parquet", "customers/customers.parquet"} {
		if _, ok := renamed[rel]; !ok {
			t.Errorf("%s was not turned into Arrow IPC", rel)
		}
	}
	// Compare every output table except runs (times, run ids, file names).
	compared := 0
	err = filepath.WalkDir(outParquet, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), "_") || strings.Contains(p, "/runs/") || strings.Contains(p, "/_optout/") ||
			!(strings.HasSuffix(p, ".parquet") || strings.HasSuffix(p, ".csv")) {
			return err
		}
		rel, _ := filepath.Rel(outParquet, p)
		want := tableText(t, db, p, data)
		got := tableText(t, db, filepath.Join(outArrow, rel), mixed)
		if got != want {
			t.Errorf("%s differs between the Parquet and the Arrow run\nparquet:\n%.2000s\narrow:\n%.2000s", rel, want, got)
		}
		compared++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if compared < 20 {
		t.Fatalf("compared only %d output files", compared)
	}
}

// tableText renders an output file's rows, sorted, as text with the input
// folder and Arrow file extensions written as in the Parquet run.
func tableText(t *testing.T, db *sql.DB, file, dataDir string) string {
	t.Helper()
	reader := "read_parquet"
	if strings.HasSuffix(file, ".csv") {
		reader = "read_csv"
	}
	rows, err := db.Query(fmt.Sprintf("SELECT * FROM %s('%s')", reader, file))
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var lines []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, fmt.Sprint(vals...))
	}
	slices.Sort(lines)
	s := strings.Join(lines, "\n")
	s = strings.ReplaceAll(s, dataDir, "DATA")
	for _, ext := range []string{".arrow", ".ipc", ".feather"} {
		s = strings.ReplaceAll(s, ext, ".parquet")
	}
	return strings.Join(cols, ",") + "\n" + s
}

func mkdirFor(t *testing.T, path string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestArrowHandBuilt builds request batches with arrow-go's builders (a
// list<string> categories column, a timestamp with zone, several batches in
// a stream) next to a Parquet file of the same source, and checks the
// flags by hand.
func TestArrowHandBuilt(t *testing.T) {
	cfg := arrowFolderFixture(t, `SELECT *, NULL::VARCHAR AS phone FROM (VALUES ('c1', 'a@example.com'), ('c2', 'b@example.com'), ('c3', 'c@example.com'), ('c4', 'd@example.com')) t(customer_id, email)`)
	dir := filepath.Dir(cfg)
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// c: opted out in Parquet, opted back in by the Arrow stream later.
	mustExec(t, db, fmt.Sprintf(`COPY (SELECT 'p1' AS request_id, TIMESTAMPTZ '2026-11-01 10:00:00+00' AS received_at,
		'opt_out' AS request_type, NULL::VARCHAR[] AS categories, 'c@example.com' AS email) TO '%s' (FORMAT parquet)`,
		mkdirFor(t, filepath.Join(dir, "inputs", "requests", "dt=2026-11-01", "part.parquet"))))

	tz := &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "request_id", Type: arrow.BinaryTypes.String},
		{Name: "received_at", Type: tz},
		{Name: "Request_Type", Type: arrow.BinaryTypes.String}, // names match case-insensitively
		{Name: "categories", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
		{Name: "email", Type: arrow.BinaryTypes.String},
	}, nil)
	batch := func(rows [][]any) arrow.RecordBatch {
		b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
		defer b.Release()
		for _, r := range rows {
			b.Field(0).(*array.StringBuilder).Append(r[0].(string))
			at, _ := time.Parse(time.RFC3339, r[1].(string))
			b.Field(1).(*array.TimestampBuilder).Append(arrow.Timestamp(at.UnixMicro()))
			b.Field(2).(*array.StringBuilder).Append(r[2].(string))
			lb := b.Field(3).(*array.ListBuilder)
			if cats := r[3].([]string); cats == nil {
				lb.AppendNull()
			} else {
				lb.Append(true)
				for _, c := range cats {
					lb.ValueBuilder().(*array.StringBuilder).Append(c)
				}
			}
			b.Field(4).(*array.StringBuilder).Append(r[4].(string))
		}
		return b.NewRecordBatch()
	}
	b1 := batch([][]any{
		{"a1", "2026-11-02T10:00:00Z", "opt_out", []string(nil), " A@Example.com "},
		{"b1", "2026-11-02T10:00:00Z", "out", []string{"advertising"}, "b@example.com"},
	})
	b2 := batch([][]any{
		{"c2", "2026-11-03T10:00:00Z", "opt_in", []string(nil), "c@example.com"},
		{"d1", "2026-11-25T10:00:00Z", "opt_out", []string(nil), "d@example.com"}, // after D: not read yet
	})
	defer b1.Release()
	defer b2.Release()
	writeIPC(t, filepath.Join(dir, "inputs", "requests", "dt=2026-11-02", "part.ipc"), true, schema, b1, b2)

	if code, _, se := run(t, "run", "--config", cfg, "--date", "2026-11-21", "--now", "2026-11-22T12:00:00Z"); code != 0 {
		t.Fatalf("exit %d\n%s", code, se)
	}
	rows, err := db.Query(fmt.Sprintf(`SELECT customer_id, ccpa_opt_out, coalesce(array_to_string(opt_out_categories, '|'), '')
		FROM read_parquet('%s/out/customers_flagged/dt=2026-11-21/*.parquet') ORDER BY customer_id`, dir))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var id, cats string
		var out bool
		if err := rows.Scan(&id, &out, &cats); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s %v %s", id, out, cats))
	}
	all := "advertising|analytics|enrichment|marketing_partners" // `all`, spelled out
	want := []string{"c1 true " + all, "c2 true advertising", "c3 false ", "c4 false "}
	if !slices.Equal(got, want) {
		t.Errorf("flags:\n got %q\nwant %q", got, want)
	}
	// The runs row names each file and counts the Arrow rows.
	n := queryInt(t, db, fmt.Sprintf(`SELECT sum(i.rows_read) FROM (SELECT unnest(inputs) AS i FROM read_parquet('%s/out/runs/*.parquet'))
		WHERE i.file LIKE '%%part.ipc'`, dir))
	if n != 4 {
		t.Errorf("rows read from the Arrow stream: %d, want 4", n)
	}
}

// TestArrowBadFileExit3 names the file and the reason.
func TestArrowBadFileExit3(t *testing.T) {
	for _, tc := range []struct{ content, want string }{
		{"FEA1 old feather", "Feather version 1"},
		{"not arrow at all", "neither an IPC file nor an IPC stream"},
	} {
		cfg, bad := arrowRequestsFixture(t, tc.content)
		code, _, se := run(t, "run", "--config", cfg, "--date", "2026-11-21")
		if code != 3 || !strings.Contains(se, redact.String("file "+bad+" cannot be read as Arrow IPC")) || !strings.Contains(se, tc.want) {
			t.Errorf("%q: exit %d, want 3 naming the file and %q\n%s", tc.content, code, tc.want, se)
		}
	}
}

// TestArrowInvalidUTF8NamesColumn: DuckDB refuses text that is not UTF-8
// when it copies an Arrow file; the error names input, file, column and
// row, never the value.
func TestArrowInvalidUTF8NamesColumn(t *testing.T) {
	cfg, file := arrowRequestsFixture(t, "")
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "request_id", Type: arrow.BinaryTypes.String},
		{Name: "received_at", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
		{Name: "request_type", Type: arrow.BinaryTypes.String},
		{Name: "phone", Type: arrow.BinaryTypes.String},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	at := arrow.Timestamp(time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC).UnixMicro())
	for i, phone := range []string{"+1 415 555 0100", latin1Phone, "4155550102"} {
		b.Field(0).(*array.StringBuilder).Append(fmt.Sprint("r", i))
		b.Field(1).(*array.TimestampBuilder).Append(at)
		b.Field(2).(*array.StringBuilder).Append("opt_out")
		b.Field(3).(*array.StringBuilder).Append(phone)
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	writeIPC(t, file, false, schema, rec)
	code, so, se := run(t, "run", "--config", cfg, "--date", "2026-11-21", "--now", "2026-11-22T12:00:00Z")
	want := redact.String("input web: file " + file + ": column phone: a value is not valid UTF-8 (row 2)")
	if code != 3 || !strings.Contains(se, want) || !strings.Contains(so, want) {
		t.Errorf("exit %d, want 3 and %q\n%s\n%s", code, want, se, so)
	}
	if strings.Contains(se+so, "4155550123") {
		t.Errorf("the phone number is shown:\n%s\n%s", se, so)
	}
}

// Two columns of an Arrow file whose names differ only by case are
// ambiguous (SPEC §3: names match case-insensitively): DuckDB would read
// the second as EMAIL_1, and the requests' emails from the first, here
// empty. The run stops with exit 3 naming the file and the column.
func TestArrowColumnsDifferingOnlyByCase(t *testing.T) {
	cfg := fixture(t, `
engine: duckdb
timezone: UTC
output: out
inputs:
  requests:
    - {name: web, path: inputs/requests.arrow}
  customers: {path: inputs/customers.parquet}
`, map[string]string{
		"customers": `SELECT *, NULL::VARCHAR AS phone FROM (VALUES ('c1', 'a@example.com')) t(customer_id, email)`,
	})
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "request_id", Type: arrow.BinaryTypes.String},
		{Name: "received_at", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
		{Name: "request_type", Type: arrow.BinaryTypes.String},
		{Name: "email", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "EMAIL", Type: arrow.BinaryTypes.String},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	at, _ := time.Parse(time.RFC3339, "2026-11-02T10:00:00Z")
	b.Field(0).(*array.StringBuilder).Append("a1")
	b.Field(1).(*array.TimestampBuilder).Append(arrow.Timestamp(at.UnixMicro()))
	b.Field(2).(*array.StringBuilder).Append("opt_out")
	b.Field(3).(*array.StringBuilder).AppendNull()
	b.Field(4).(*array.StringBuilder).Append("a@example.com")
	rec := b.NewRecordBatch()
	defer rec.Release()
	writeIPC(t, filepath.Join(filepath.Dir(cfg), "inputs", "requests.arrow"), true, schema, rec)

	code, _, se := run(t, "run", "--config", cfg, "--date", "2026-11-21", "--now", "2026-11-22T12:00:00Z")
	if code != 3 || !strings.Contains(se, "input web") || !strings.Contains(se, "requests.arrow") || !strings.Contains(se, "column EMAIL appears twice") {
		t.Fatalf("exit %d, want 3 naming input web, file requests.arrow and column EMAIL\n%s", code, se)
	}
}

// An Arrow file in a hive folder source=gpc/ with a source column of its
// own: DuckDB read the folder's value as source_1, so the run went on with
// the file's value and the folder's GPC signal unread. Which is meant is
// ambiguous, as for Parquet (hostile case 78): exit 3 naming both.
func TestArrowHiveFolderNamedLikeAColumn(t *testing.T) {
	cfg := arrowFolderFixture(t, `SELECT *, NULL::VARCHAR AS phone FROM (VALUES ('c1', 'a@example.com')) t(customer_id, email)`)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "request_id", Type: arrow.BinaryTypes.String},
		{Name: "received_at", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
		{Name: "source", Type: arrow.BinaryTypes.String},
		{Name: "email", Type: arrow.BinaryTypes.String},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	b.Field(0).(*array.StringBuilder).Append("a1")
	b.Field(1).(*array.TimestampBuilder).Append(arrow.Timestamp(time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC).UnixMicro()))
	b.Field(2).(*array.StringBuilder).Append("web_form")
	b.Field(3).(*array.StringBuilder).Append("a@example.com")
	rec := b.NewRecordBatch()
	defer rec.Release()
	writeIPC(t, filepath.Join(filepath.Dir(cfg), "inputs", "requests", "source=gpc", "part-1.arrow"), false, schema, rec)

	code, _, se := run(t, "run", "--config", cfg, "--date", "2026-11-21", "--now", "2026-11-22T12:00:00Z")
	if code != 3 || !strings.Contains(se, "input web") || !strings.Contains(se, "part-1.arrow") || !strings.Contains(se, "column source: is both a column of the file and the hive folder source=gpc") {
		t.Fatalf("exit %d, want 3 naming input web, file part-1.arrow, column source and folder source=gpc\n%s", code, se)
	}
}

// An Arrow request file whose customer id is its hive folder's only,
// customer_id=AC%2F7/ and customer_id=007/: the Arrow path read the ids as
// AC%2F7 and 7 (Parquet reads AC/7 and 007), the opt-outs reached no
// customer and both were flagged false, with exit 0.
func TestArrowHiveFolderIDsAsParquetReadsThem(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "request_id", Type: arrow.BinaryTypes.String},
		{Name: "received_at", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
		{Name: "request_type", Type: arrow.BinaryTypes.String},
	}, nil)
	for _, folder := range []string{"customer_id=AC%2F7", "customer_id=007"} {
		cfg := arrowFolderFixture(t, `SELECT * FROM (VALUES ('AC/7', 'a@example.com', NULL::VARCHAR), ('007', 'b@example.com', NULL::VARCHAR), ('7', 'c@example.com', NULL::VARCHAR)) t(customer_id, email, phone)`)
		b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
		b.Field(0).(*array.StringBuilder).Append("r1")
		b.Field(1).(*array.TimestampBuilder).Append(arrow.Timestamp(time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC).UnixMicro()))
		b.Field(2).(*array.StringBuilder).Append("opt_out")
		rec := b.NewRecordBatch()
		writeIPC(t, filepath.Join(filepath.Dir(cfg), "inputs", "requests", folder, "part-1.arrow"), false, schema, rec)
		rec.Release()
		b.Release()
		if code, _, se := run(t, "run", "--config", cfg, "--date", "2026-11-21", "--now", "2026-11-22T12:00:00Z"); code != 0 {
			t.Fatalf("%s: exit %d\n%s", folder, code, se)
		}
		db, err := sql.Open("duckdb", "")
		if err != nil {
			t.Fatal(err)
		}
		var opted string
		q := fmt.Sprintf(`SELECT coalesce(string_agg(customer_id, ', ' ORDER BY customer_id) FILTER (WHERE ccpa_opt_out), 'none') FROM read_parquet('%s/out/customers_flagged/dt=2026-11-21/*.parquet', hive_partitioning = false)`, filepath.Dir(cfg))
		err = db.QueryRow(q).Scan(&opted)
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		if want, _ := url.PathUnescape(strings.TrimPrefix(folder, "customer_id=")); opted != want {
			t.Errorf("%s: customers opted out: %s, want %s", folder, opted, want)
		}
	}
}

// TestArrowStreamNotWhole: arrow-go ends an IPC stream quietly where its
// bytes run out between two batches, and stops at the end-of-stream
// marker. A stream cut at a batch boundary lost its last opt-outs, and a
// second stream appended to the file was never read, both with exit 0.
// Each is now exit 3 naming the file; the whole stream still runs.
func TestArrowStreamNotWhole(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "request_id", Type: arrow.BinaryTypes.String},
		{Name: "received_at", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
		{Name: "request_type", Type: arrow.BinaryTypes.String},
		{Name: "email", Type: arrow.BinaryTypes.String},
	}, nil)
	// stream writes n one-row batches (r0, r1, ...) as one IPC stream.
	stream := func(n int) []byte {
		var batches []arrow.RecordBatch
		for i := range n {
			b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
			b.Field(0).(*array.StringBuilder).Append(fmt.Sprint("r", i))
			b.Field(1).(*array.TimestampBuilder).Append(arrow.Timestamp(time.Date(2026, 11, 2+i, 10, 0, 0, 0, time.UTC).UnixMicro()))
			b.Field(2).(*array.StringBuilder).Append("opt_out")
			b.Field(3).(*array.StringBuilder).Append(fmt.Sprintf("p%d@example.com", i))
			batches = append(batches, b.NewRecordBatch())
			b.Release()
		}
		path := filepath.Join(t.TempDir(), "s.arrow")
		writeIPC(t, path, true, schema, batches...)
		for _, b := range batches {
			b.Release()
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	two, three := stream(2), stream(3)
	const eos = 8 // continuation marker and a zero length
	if !slices.Equal(three[:len(two)-eos], two[:len(two)-eos]) {
		t.Fatal("a stream of two batches is not the start of one of three")
	}
	for _, tc := range []struct {
		name    string
		content []byte
		want    string // "" = the run succeeds
	}{
		{"whole", three, ""},
		{"cut before its last batch", three[:len(two)-eos], "ends without the end-of-stream marker"},
		{"cut after its last batch", three[:len(three)-eos], "ends without the end-of-stream marker"},
		{"a second stream appended", append(slices.Clone(two), three...), fmt.Sprintf("has %d bytes after the end-of-stream marker", len(three))},
	} {
		cfg, file := arrowRequestsFixture(t, string(tc.content))
		code, so, se := run(t, "run", "--config", cfg, "--date", "2026-11-21", "--now", "2026-11-22T12:00:00Z")
		if tc.want == "" {
			if code != 0 || !strings.Contains(so, `"requests_counted":3`) {
				t.Errorf("%s: exit %d, want 0 with 3 requests counted\n%s\n%s", tc.name, code, so, se)
			}
			continue
		}
		if code != 3 || !strings.Contains(se, redact.String("file "+file)) || !strings.Contains(se, tc.want) {
			t.Errorf("%s: exit %d, want 3 naming the file and %q\n%s", tc.name, code, tc.want, se)
		}
	}
}

// Text held in another type: an Arrow dictionary of strings (which
// DuckDB's Arrow scan reads as text) and a warehouse table's ENUM column
// (which DuckDB writes to CSV as its text). Their cells that a
// spreadsheet would run get the leading ' as a text column's do (SPEC §7
// Safe CSV).
func TestDictionaryAndEnumCellsGuardedInCSV(t *testing.T) {
	cfg := fixture(t, `
engine: duckdb
timezone: UTC
output: out
duckdb: {database: warehouse.duckdb}
inputs:
  requests:
    - {name: web, path: inputs/requests.parquet}
  customers: {path: inputs/customers.parquet}
exports:
  - {name: from_arrow, path: inputs/list.arrow, destination: generic, category: advertising, format: csv, identifiers: {email: email}}
  - {name: from_table, table: list, destination: generic, category: advertising, format: csv, identifiers: {email: email}}
`, map[string]string{
		"customers": `SELECT 'c1' AS customer_id, 'a@example.com' AS email, NULL::VARCHAR AS phone`,
		"requests":  `SELECT 'r1' AS request_id, TIMESTAMP '2026-11-02 10:00:00' AS received_at, 'opt_out' AS request_type, 'gone@example.com' AS email`,
	})
	dir := filepath.Dir(cfg)
	rows := [][2]string{{"a@example.com", "=1+1"}, {"b@example.com", "plain"}, {"c@example.com", "@SUM(1)"}, {"gone@example.com", "=2+2"}}
	dict := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "email", Type: arrow.BinaryTypes.String},
		{Name: "note", Type: dict},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	notes := b.Field(1).(*array.BinaryDictionaryBuilder)
	values := make([]string, len(rows))
	for i, r := range rows {
		b.Field(0).(*array.StringBuilder).Append(r[0])
		if err := notes.AppendString(r[1]); err != nil {
			t.Fatal(err)
		}
		values[i] = fmt.Sprintf("('%s', '%s')", r[0], r[1])
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	writeIPC(t, filepath.Join(dir, "inputs", "list.arrow"), false, schema, rec)
	wh, err := sql.Open("duckdb", filepath.Join(dir, "warehouse.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, wh, "CREATE TYPE note AS ENUM ('=1+1', 'plain', '@SUM(1)', '=2+2')")
	mustExec(t, wh, "CREATE TABLE list AS SELECT email, CAST(note AS note) AS note FROM (VALUES "+strings.Join(values, ", ")+") t(email, note)")
	wh.Close()

	if code, _, se := run(t, "run", "--config", cfg, "--date", "2026-11-21", "--now", "2026-11-22T12:00:00Z"); code != 0 {
		t.Fatalf("exit %d\n%s", code, se)
	}
	want := map[string]string{"a@example.com": "'=1+1", "b@example.com": "plain", "c@example.com": "'@SUM(1)"}
	for _, export := range []string{"from_arrow", "from_table"} {
		files, _ := filepath.Glob(filepath.Join(dir, "out", "exports", export, "dt=2026-11-21", "*.csv"))
		if len(files) != 1 {
			t.Fatalf("%s: CSV files of the export: %v", export, files)
		}
		got := map[string]string{}
		for _, r := range readCSV(t, files[0])[1:] {
			got[r[0]] = r[1]
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: the export's cells: %v, want %v (the opted-out row dropped)", export, got, want)
		}
	}
}

// A guarded CSV export guards every cell that can hold what people typed,
// whatever type carries it: here an Arrow export's UNION member and JSON
// extension column, which DuckDB writes as their text. Only text, BLOB
// and ENUM columns were guarded, and =HYPERLINK(…) went out as a formula
// with exit 0.
func TestArrowCSVExportGuardsUnionAndJSONCells(t *testing.T) {
	cfg := zOptedOutFixture(t, "{name: list, path: inputs/list.arrow, destination: generic, category: marketing_partners, identifiers: {email: email}, format: csv}", nil)
	const formula = `=HYPERLINK("http://evil.example/","click")`
	jsonType, err := extensions.NewJSONType(arrow.BinaryTypes.String)
	if err != nil {
		t.Fatal(err)
	}
	union := arrow.SparseUnionOf([]arrow.Field{{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true}}, []arrow.UnionTypeCode{0})
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "email", Type: arrow.BinaryTypes.String},
		{Name: "u", Type: union, Nullable: true},
		{Name: "j", Type: jsonType, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for _, email := range []string{"a@example.com", "z@example.com"} {
		b.Field(0).(*array.StringBuilder).Append(email)
		ub := b.Field(1).(*array.SparseUnionBuilder)
		ub.Append(0)
		ub.Child(0).(*array.StringBuilder).Append(formula)
		b.Field(2).(*array.ExtensionBuilder).StorageBuilder().(*array.StringBuilder).Append(formula)
	}
	batch := b.NewRecordBatch()
	defer batch.Release()
	writeIPC(t, filepath.Join(filepath.Dir(cfg), "inputs", "list.arrow"), false, schema, batch)

	if code, _, se := run(t, "run", "--config", cfg, "--date", "2026-11-21", "--now", "2026-11-22T09:00:00Z"); code != 0 {
		t.Fatalf("exit %d\n%s", code, se)
	}
	got := readCSV(t, filepath.Join(filepath.Dir(cfg), "out", "exports", "list", "dt=2026-11-21", "part-0.csv"))
	want := [][]string{{"email", "u", "j"}, {"a@example.com", "'" + formula, "'" + formula}} // z opted out
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("CSV export:\n got %q\nwant %q", got, want)
	}
}

// Epoch nanoseconds written into an Arrow timestamp[ms] received_at (the
// Arrow twin of hostile case 117): the run fails closed naming the input,
// the file and the column, as it does for Parquet. The error named none.
func TestArrowTimeInAnotherUnitNamesTheColumn(t *testing.T) {
	cfg := arrowFolderFixture(t, `SELECT 'c1' AS customer_id, 'a@example.com' AS email, NULL::VARCHAR AS phone`)
	dir := filepath.Dir(cfg)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "request_id", Type: arrow.BinaryTypes.String},
		{Name: "received_at", Type: &arrow.TimestampType{Unit: arrow.Millisecond}},
		{Name: "request_type", Type: arrow.BinaryTypes.String},
		{Name: "email", Type: arrow.BinaryTypes.String},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	b.Field(0).(*array.StringBuilder).Append("r1")
	b.Field(1).(*array.TimestampBuilder).Append(arrow.Timestamp(1_762_732_800_000_000_000)) // 2025-11-10 in nanoseconds
	b.Field(2).(*array.StringBuilder).Append("opt_out")
	b.Field(3).(*array.StringBuilder).Append("a@example.com")
	rec := b.NewRecordBatch()
	defer rec.Release()
	file := filepath.Join(dir, "inputs", "requests", "part-1.arrow")
	writeIPC(t, file, false, schema, rec)
	code, _, se := run(t, "run", "--config", cfg, "--date", "2026-11-21", "--now", "2026-11-22T12:00:00Z")
	if want := redact.String("input web: file " + file + ": column received_at: a value cannot be read as TIMESTAMP"); code != 3 || !strings.Contains(se, want) {
		t.Errorf("exit %d, want 3 with %q\n%s", code, want, se)
	}
}
