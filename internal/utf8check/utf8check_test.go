package utf8check

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

var schema = arrow.NewSchema([]arrow.Field{
	{Name: "n", Type: arrow.PrimitiveTypes.Int64},
	{Name: "email", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "categories", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
	{Name: "profile", Type: arrow.StructOf(arrow.Field{Name: "phone", Type: arrow.BinaryTypes.String, Nullable: true}), Nullable: true},
	{Name: "blob", Type: arrow.BinaryTypes.Binary, Nullable: true}, // bytes, not text
}, nil)

// batch makes rows rows; bad sets a column's value of one row (from 0)
// to bytes that are not UTF-8.
func batch(rows int, badCol string, badRow int) arrow.RecordBatch {
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	text := func(col string, r int, ok string) string {
		if col == badCol && r == badRow {
			return "\xA04155550123"
		}
		return ok
	}
	for r := 0; r < rows; r++ {
		b.Field(0).(*array.Int64Builder).Append(int64(r))
		b.Field(1).(*array.StringBuilder).Append(text("email", r, "a@b.co"))
		lb := b.Field(2).(*array.ListBuilder)
		lb.Append(true)
		lb.ValueBuilder().(*array.StringBuilder).Append("all")
		lb.ValueBuilder().(*array.StringBuilder).Append(text("categories", r, "ads"))
		sb := b.Field(3).(*array.StructBuilder)
		sb.Append(true)
		sb.FieldBuilder(0).(*array.StringBuilder).Append(text("profile", r, "+1"))
		b.Field(4).(*array.BinaryBuilder).Append([]byte("\xff\xfe"))
	}
	return b.NewRecordBatch()
}

func writeParquet(t *testing.T, rec arrow.RecordBatch) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "f.parquet")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	// Row groups of 3 rows: the row is counted across them.
	w, err := pqarrow.NewFileWriter(schema, f, parquet.NewWriterProperties(parquet.WithMaxRowGroupLength(3)), pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func writeIPC(t *testing.T, stream bool, recs ...arrow.RecordBatch) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "f.arrow")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var w interface {
		Write(arrow.RecordBatch) error
		Close() error
	}
	if stream {
		w = ipc.NewWriter(f, ipc.WithSchema(schema))
	} else if w, err = ipc.NewFileWriter(f, ipc.WithSchema(schema)); err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestFind(t *testing.T) {
	for _, c := range []struct {
		name   string
		file   func(*testing.T) string
		arrow  bool
		want   Location
		wantOK bool
	}{
		{"parquet clean (bytes in a binary column are not text)", func(t *testing.T) string { return writeParquet(t, batch(10, "", -1)) }, false, Location{}, false},
		{"parquet top-level", func(t *testing.T) string { return writeParquet(t, batch(10, "email", 7)) }, false, Location{"email", 8}, true},
		{"parquet in a list", func(t *testing.T) string { return writeParquet(t, batch(10, "categories", 4)) }, false, Location{"categories", 5}, true},
		{"parquet in a struct", func(t *testing.T) string { return writeParquet(t, batch(10, "profile", 9)) }, false, Location{"profile", 10}, true},
		{"ipc file, second batch", func(t *testing.T) string { return writeIPC(t, false, batch(4, "", -1), batch(4, "email", 2)) }, true, Location{"email", 7}, true},
		{"ipc stream", func(t *testing.T) string { return writeIPC(t, true, batch(4, "profile", 0)) }, true, Location{"profile", 1}, true},
		{"ipc clean", func(t *testing.T) string { return writeIPC(t, true, batch(4, "", -1)) }, true, Location{}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, ok, err := Find(context.Background(), c.file(t), c.arrow)
			if err != nil || ok != c.wantOK || got != c.want {
				t.Errorf("Find = %+v, %v, %v; want %+v, %v", got, ok, err, c.want, c.wantOK)
			}
		})
	}
}

// A file arrow-go cannot decode is an error, not a panic: the demo's
// Meta audience with 64 bytes inverted in its snappy pages made arrow-go
// panic ("snappy: corrupt input"; hostile case 21).
func TestCorruptFileIsAnError(t *testing.T) {
	b, err := os.ReadFile("../../testdata/demo/data/exports/meta_audience.parquet")
	if err != nil {
		t.Fatal(err)
	}
	for i := 20000; i < 20064; i++ {
		b[i] = ^b[i]
	}
	path := filepath.Join(t.TempDir(), "corrupt.parquet")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Find(context.Background(), path, false); err == nil {
		t.Fatal("a corrupt file read without error")
	}
}
