package cli

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/optout-dev/optout/internal/redact"
)

// The value: a Latin-1 NBSP (0xA0, not UTF-8) before a phone number.
const latin1Phone = "\xA04155550123"

// TestInvalidUTF8NamesColumnNotValue: a phone cell that is not UTF-8, in
// the customers or in a request source, fails the run with exit 3 and an
// error naming input, file, column and row; the number is on neither
// stderr, the JSON summary nor the runs row.
func TestInvalidUTF8NamesColumnNotValue(t *testing.T) {
	for _, c := range []struct {
		input, dir, file string
		row              int // counted from 0
	}{
		{"customers", "customers", "customers.parquet", 41},
		{"web_form", "requests/web_form", "dt=2026-11-01/data_0.parquet", 4},
	} {
		t.Run(c.input, func(t *testing.T) {
			data, _ := filepath.Abs("../../../testdata/demo/data")
			tmp := t.TempDir()
			if err := os.CopyFS(tmp, os.DirFS(filepath.Join(data, c.dir))); err != nil {
				t.Fatal(err)
			}
			bad := filepath.Join(tmp, c.file)
			setText(t, bad, "phone", c.row, latin1Phone)
			cfg, out := demoConfig(t, func(s string) string {
				return strings.Replace(s, data+"/"+c.dir, tmp, 1)
			})
			code, so, se := run(t, "run", "--config", cfg, "--date", "2026-11-21", "--now", "2026-11-22T09:00:00Z")
			// Every error passes the redactor, which also masks the random
			// digits of the test's temporary folder (docs/decisions.md).
			want := redact.String("input " + c.input + ": file " + bad + ": column phone: a value is not valid UTF-8 (row " + strconv.Itoa(c.row+1) + ")")
			if code != 3 || !strings.Contains(se, want) {
				t.Errorf("exit %d, want 3 and %q on stderr:\n%s", code, want, se)
			}
			lines := strings.Split(strings.TrimSpace(so), "\n")
			var sum struct {
				Status, Error string
				ExitCode      int `json:"exit_code"`
			}
			if err := json.Unmarshal([]byte(lines[len(lines)-1]), &sum); err != nil || sum.Status != "failed" || sum.ExitCode != 3 || sum.Error != want {
				t.Errorf("summary %q: %+v %v, want error %q", lines[len(lines)-1], sum, err, want)
			}
			runsErr := runsError(t, out)
			if runsErr != want {
				t.Errorf("runs.error %q, want %q", runsErr, want)
			}
			for where, text := range map[string]string{"stderr": se, "stdout": so, "runs.error": runsErr} {
				if strings.Contains(text, "4155550123") {
					t.Errorf("%s shows the phone number: %q", where, text)
				}
			}
		})
	}
}

// runsError reads the error of the one runs row under out.
func runsError(t *testing.T, out string) string {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var e sql.NullString
	if err := db.QueryRow("SELECT error FROM read_parquet(?)", filepath.Join(out, "runs", "*.parquet")).Scan(&e); err != nil {
		t.Fatal(err)
	}
	return e.String
}

// setText rewrites a Parquet file with arrow-go, the text column col of
// row (from 0) set to v. arrow-go writes any bytes into a string column;
// DuckDB cannot make a VARCHAR that is not UTF-8.
func setText(t *testing.T, path, col string, row int, v string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := pqarrow.ReadTable(context.Background(), f, nil, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	rr := array.NewTableReader(tbl, tbl.NumRows())
	defer rr.Release()
	if !rr.Next() {
		t.Fatalf("%s has no rows", path)
	}
	rec := rr.RecordBatch()
	cols := rec.Columns()
	i := rec.Schema().FieldIndices(col)
	if len(i) != 1 {
		t.Fatalf("%s has no column %s", path, col)
	}
	old := cols[i[0]].(*array.String)
	b := array.NewStringBuilder(memory.DefaultAllocator)
	for r := 0; r < old.Len(); r++ {
		switch {
		case r == row:
			b.Append(v)
		case old.IsNull(r):
			b.AppendNull()
		default:
			b.Append(old.Value(r))
		}
	}
	cols = append([]arrow.Array(nil), cols...)
	cols[i[0]] = b.NewArray()
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := pqarrow.NewFileWriter(rec.Schema(), out, nil, pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(array.NewRecordBatch(rec.Schema(), cols, rec.NumRows())); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}
