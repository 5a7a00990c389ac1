//go:build duckdb_arrow

package duckdb

import (
	"context"
	"database/sql/driver"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/optout-dev/optout/internal/config"
)

// benchRows is the size of the Arrow file the load benchmarks read.
const benchRows = 1_000_000

// writeBenchArrow writes a request-shaped Arrow IPC file of n rows.
func writeBenchArrow(b testing.TB, n int) (string, *arrow.Schema) {
	b.Helper()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "request_id", Type: arrow.BinaryTypes.String},
		{Name: "received_at", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
		{Name: "request_type", Type: arrow.BinaryTypes.String},
		{Name: "email", Type: arrow.BinaryTypes.String},
	}, nil)
	path := filepath.Join(b.TempDir(), "requests.arrow")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	w, err := ipc.NewFileWriter(f, ipc.WithSchema(schema))
	if err != nil {
		b.Fatal(err)
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for done := 0; done < n; done += 64 << 10 {
		rb := array.NewRecordBuilder(memory.DefaultAllocator, schema)
		for i := done; i < min(n, done+64<<10); i++ {
			rb.Field(0).(*array.StringBuilder).Append(fmt.Sprintf("r%d", i))
			rb.Field(1).(*array.TimestampBuilder).Append(arrow.Timestamp(start.Add(time.Duration(i) * time.Second).UnixMicro()))
			rb.Field(2).(*array.StringBuilder).Append("opt_out")
			rb.Field(3).(*array.StringBuilder).Append(fmt.Sprintf("person%d@example.com", i))
		}
		rec := rb.NewRecordBatch()
		if err := w.Write(rec); err != nil {
			b.Fatal(err)
		}
		rec.Release()
		rb.Release()
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	return path, schema
}

// BenchmarkArrowScanLoad: what optout does — DuckDB's Arrow scan of the
// batches arrow-go reads, materialized once.
func BenchmarkArrowScanLoad(b *testing.B) {
	path, _ := writeBenchArrow(b, benchRows)
	e, err := Open(context.Background(), config.DuckDB{})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := e.copyArrow(context.Background(), path, "bench"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkAppenderLoad: the alternative without the duckdb_arrow tag —
// arrow-go reads the batches and Go appends each value through the
// Appender (flat columns only; nested types would need more conversion).
func BenchmarkAppenderLoad(b *testing.B) {
	path, _ := writeBenchArrow(b, benchRows)
	e, err := Open(context.Background(), config.DuckDB{})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.conn.ExecContext(ctx, "CREATE OR REPLACE TEMP TABLE bench (request_id VARCHAR, received_at TIMESTAMPTZ, request_type VARCHAR, email VARCHAR)"); err != nil {
			b.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		r, _, err := openArrow(f)
		if err != nil {
			b.Fatal(err)
		}
		err = e.conn.Raw(func(dc any) error {
			app, err := duckdb.NewAppender(dc.(driver.Conn), "temp", "main", "bench")
			if err != nil {
				return err
			}
			for r.Next() {
				rec := r.RecordBatch()
				ids, ts := rec.Column(0).(*array.String), rec.Column(1).(*array.Timestamp)
				types, emails := rec.Column(2).(*array.String), rec.Column(3).(*array.String)
				for j := 0; j < int(rec.NumRows()); j++ {
					if err := app.AppendRow(ids.Value(j), ts.Value(j).ToTime(arrow.Microsecond), types.Value(j), emails.Value(j)); err != nil {
						return err
					}
				}
			}
			return app.Close()
		})
		r.Release()
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
