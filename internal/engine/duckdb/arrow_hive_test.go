//go:build duckdb_arrow

package duckdb

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/transforms"
)

// An Arrow file's hive folder reads as a Parquet file's does (DuckDB's own
// hive partitioning): the same value and type for each folder name. The
// Arrow path did not decode %2F, read 007 as the integer 7 and
// __HIVE_DEFAULT_PARTITION__ as text, so an opt-out whose customer id came
// from its folder reached no customer, with exit 0.
func TestArrowHiveFoldersReadAsParquetOnes(t *testing.T) {
	ctx, dir := context.Background(), t.TempDir()
	e, err := Open(ctx, config.DuckDB{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for i, v := range []string{"007", "AC%2F7", "x%20y", "%41%zz", "a%2", "__HIVE_DEFAULT_PARTITION__", "",
		"2026-11-10", "2026-1-5", "2026-11-10 10:00:00", "12", "-5", "-05", "0", "0x10", " 08", "3.5", "+7",
		"9223372036854775808", "true", "1e3", "2026-11-10 00:00:00", "2026-11-10T10:00:00Z", "20261110"} {
		pq := filepath.Join(dir, "pq", fmt.Sprint(i), "k="+v, "p.parquet")
		ar := filepath.Join(dir, "ar", fmt.Sprint(i), "k="+v, "p.arrow")
		if err := os.MkdirAll(filepath.Dir(pq), 0o755); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Query(ctx, "COPY (SELECT 1::BIGINT AS a) TO "+transforms.Literal(pq)+" (FORMAT parquet)"); err != nil {
			t.Fatal(err)
		}
		writeOneRowArrow(t, ar)
		read := func(name, file string) string {
			t.Helper()
			if err := e.Register(ctx, name, []string{file}); err != nil {
				t.Fatalf("folder k=%s: %v", v, err)
			}
			rows, err := e.Query(ctx, "SELECT typeof(k) AS type, CAST(k AS VARCHAR) AS value FROM "+name)
			if err != nil || len(rows) != 1 {
				t.Fatalf("folder k=%s: %v, %v", v, rows, err)
			}
			return fmt.Sprintf("%v %q", rows[0]["type"], rows[0]["value"])
		}
		if p, a := read(fmt.Sprintf("pq%d", i), pq), read(fmt.Sprintf("ar%d", i), ar); p != a {
			t.Errorf("folder k=%s: Parquet reads %s, Arrow %s", v, p, a)
		}
	}
}

func writeOneRowArrow(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	schema := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int64}}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	b.Field(0).(*array.Int64Builder).Append(1)
	rec := b.NewRecordBatch()
	defer rec.Release()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := ipc.NewFileWriter(f, ipc.WithSchema(schema))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// A column whose Arrow type DuckDB's Arrow scan refuses (float16) is named
// with its type: the scan's own message named no column, and the only odd
// one was an extra column the run did not even need.
func TestArrowColumnOfAnUnreadableTypeIsNamed(t *testing.T) {
	ctx, dir := context.Background(), t.TempDir()
	e, err := Open(ctx, config.DuckDB{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	schema := arrow.NewSchema([]arrow.Field{{Name: "customer_id", Type: arrow.BinaryTypes.String}, {Name: "score", Type: arrow.FixedWidthTypes.Float16}}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	b.Field(0).(*array.StringBuilder).Append("C1")
	b.Field(1).AppendNull()
	rec := b.NewRecordBatch()
	defer rec.Release()
	path := filepath.Join(dir, "c.arrow")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := ipc.NewFileWriter(f, ipc.WithSchema(schema))
	if err != nil {
		t.Fatal(err)
	}
	if err := errors.Join(w.Write(rec), w.Close(), f.Close()); err != nil {
		t.Fatal(err)
	}
	err = e.Register(ctx, "c", []string{path})
	if err == nil || !strings.Contains(err.Error(), "column score: its Arrow type float16") {
		t.Errorf("registering a file with a float16 column: %v, want an error naming column score and its type", err)
	}
}
