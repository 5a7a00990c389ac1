//go:build duckdb_arrow

package duckdb

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/optout-dev/optout/internal/config"
)

// requestBatch is a small request batch with a column of each kind of
// buffer layout: strings, a large string, a timestamp, a list, a
// dictionary and a struct.
func requestBatch(t *testing.T) arrow.RecordBatch {
	t.Helper()
	dict := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "request_id", Type: arrow.BinaryTypes.String},
		{Name: "email", Type: arrow.BinaryTypes.LargeString},
		{Name: "received_at", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
		{Name: "categories", Type: arrow.ListOf(arrow.BinaryTypes.String)},
		{Name: "status", Type: dict},
		{Name: "meta", Type: arrow.StructOf(arrow.Field{Name: "ip", Type: arrow.BinaryTypes.String, Nullable: true})},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	at := arrow.Timestamp(time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC).UnixMicro())
	for i := range 3 {
		b.Field(0).(*array.StringBuilder).Append(fmt.Sprintf("r%d", i))
		b.Field(1).(*array.LargeStringBuilder).Append(fmt.Sprintf("person%d@example.com", i))
		b.Field(2).(*array.TimestampBuilder).Append(at)
		lb := b.Field(3).(*array.ListBuilder)
		lb.Append(true)
		lb.ValueBuilder().(*array.StringBuilder).Append("advertising")
		if err := b.Field(4).(*array.BinaryDictionaryBuilder).AppendString([]string{"verified", "pending"}[i%2]); err != nil {
			t.Fatal(err)
		}
		sb := b.Field(5).(*array.StructBuilder)
		sb.Append(true)
		sb.FieldBuilder(0).(*array.StringBuilder).Append("10.0.0.1")
	}
	return b.NewRecordBatch()
}

// writeIPC writes batches (of one schema) as an Arrow IPC file, or stream.
func writeIPC(t *testing.T, path string, stream bool, batches ...arrow.RecordBatch) {
	t.Helper()
	schema := batches[0].Schema()
	var buf bytes.Buffer
	var w interface {
		Write(arrow.RecordBatch) error
		Close() error
	}
	if stream {
		w = ipc.NewWriter(&buf, ipc.WithSchema(schema))
	} else {
		fw, err := ipc.NewFileWriter(&buf, ipc.WithSchema(schema))
		if err != nil {
			t.Fatal(err)
		}
		w = fw
	}
	for _, rec := range batches {
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// readArrow registers one Arrow file and counts its rows.
func readArrow(e *Engine, name, path string) (err error) {
	ctx := context.Background()
	if err := e.Register(ctx, name, []string{path}); err != nil {
		return err
	}
	_, err = e.Query(ctx, "SELECT count(*) AS n, max(length(request_id)) AS l FROM "+name)
	return err
}

// A string offset past its data, or a negative one, is refused naming the
// column: arrow-go panicked on the first inside DuckDB's scan (the process
// died, exit 2 and no summary) and passed the second, which DuckDB then
// read outside the buffer (a segfault).
func TestCorruptArrowOffsetsAreRefused(t *testing.T) {
	e, err := Open(context.Background(), config.DuckDB{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	dir := t.TempDir()
	for i, c := range []struct {
		offset int32
		stream bool
	}{{1 << 30, false}, {-5, false}, {1 << 30, true}, {-5, true}} {
		rec := requestBatch(t)
		// The request_id column's second offset, rewritten in place
		// before the batch is written.
		offsets := rec.Column(0).Data().Buffers()[1].Bytes()
		binary.LittleEndian.PutUint32(offsets[4:], uint32(c.offset))
		path := filepath.Join(dir, fmt.Sprintf("r%d.arrow", i))
		writeIPC(t, path, c.stream, rec)
		rec.Release()
		err := readArrow(e, fmt.Sprintf("r%d", i), path)
		if err == nil || !strings.Contains(err.Error(), "column request_id: a record batch is corrupt") {
			t.Errorf("offset %d (stream %v): %v, want the column named as corrupt", c.offset, c.stream, err)
		}
	}
}

// Every byte of a small request file, flipped in turn, gives a read or an
// error, never a panic or a crash of the process (which would end this
// test binary): a probe that did this crashed the run in 152 of 626 files.
func TestArrowWithAnyByteFlippedNeverCrashes(t *testing.T) {
	e, err := Open(context.Background(), config.DuckDB{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	dir := t.TempDir()
	for _, stream := range []bool{false, true} {
		rec := requestBatch(t)
		whole := filepath.Join(dir, fmt.Sprintf("whole_%v.arrow", stream))
		writeIPC(t, whole, stream, rec)
		rec.Release()
		good, err := os.ReadFile(whole)
		if err != nil {
			t.Fatal(err)
		}
		if err := readArrow(e, "whole", whole); err != nil {
			t.Fatalf("the whole file (stream %v): %v", stream, err)
		}
		failed := 0
		for i := range good {
			bad := bytes.Clone(good)
			bad[i] ^= 0xff
			path := filepath.Join(dir, fmt.Sprintf("flip_%v_%d.arrow", stream, i))
			if err := os.WriteFile(path, bad, 0o644); err != nil {
				t.Fatal(err)
			}
			if readArrow(e, fmt.Sprintf("f%d", i), path) != nil {
				failed++
			}
			os.Remove(path)
		}
		if failed == 0 {
			t.Errorf("stream %v: no flipped byte of %d made the file unreadable", stream, len(good))
		}
	}
}

// A list of dictionary-encoded values with no values in a batch (every
// list null or empty: pandas or polars categoricals) is refused naming the
// column, and the engine goes on: DuckDB's Arrow scan failed on it with an
// internal error, after which the database refused every statement, the
// runs row included.
func TestArrowEmptyDictionaryUnderAListIsNamed(t *testing.T) {
	dict := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
	e, err := Open(context.Background(), config.DuckDB{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for i, fill := range []func(*array.ListBuilder){
		func(b *array.ListBuilder) { b.AppendNull() },
		func(b *array.ListBuilder) { b.Append(true) },
	} {
		schema := arrow.NewSchema([]arrow.Field{{Name: "request_id", Type: arrow.BinaryTypes.String}, {Name: "categories", Type: arrow.ListOf(dict), Nullable: true}}, nil)
		b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
		b.Field(0).(*array.StringBuilder).Append("r1")
		fill(b.Field(1).(*array.ListBuilder))
		rec := b.NewRecordBatch()
		path := filepath.Join(t.TempDir(), "r.arrow")
		writeIPC(t, path, i == 0, rec)
		rec.Release()
		b.Release()
		err := e.Register(context.Background(), fmt.Sprintf("r%d", i), []string{path})
		if err == nil || !strings.Contains(err.Error(), "column categories: its lists hold dictionary-encoded values") {
			t.Errorf("case %d: %v, want the column named", i, err)
		}
		if _, err := e.Query(context.Background(), "SELECT 1 AS one"); err != nil {
			t.Fatalf("case %d: the engine after it: %v", i, err)
		}
	}
}

// Valid files the checks must read: a column of Arrow's null type (what
// pyarrow writes for a column of None: its null count is its length, with
// no bitmap), and batches of no rows with a list of dictionary values (an
// empty day's file of categoricals; an empty batch after a full one). A
// review found both refused as corrupt.
func TestArrowNullColumnsAndEmptyBatchesRead(t *testing.T) {
	e, err := Open(context.Background(), config.DuckDB{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	dir := t.TempDir()
	dict := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "request_id", Type: arrow.BinaryTypes.String},
		{Name: "note", Type: arrow.Null, Nullable: true},
		{Name: "categories", Type: arrow.ListOf(dict), Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	empty := b.NewRecordBatch()
	defer empty.Release()
	b.Field(0).(*array.StringBuilder).Append("r1")
	b.Field(1).AppendNull()
	lb := b.Field(2).(*array.ListBuilder)
	lb.Append(true)
	if err := lb.ValueBuilder().(*array.BinaryDictionaryBuilder).AppendString("advertising"); err != nil {
		t.Fatal(err)
	}
	full := b.NewRecordBatch()
	defer full.Release()
	for i, c := range []struct {
		batches []arrow.RecordBatch
		rows    int64
	}{{[]arrow.RecordBatch{empty}, 0}, {[]arrow.RecordBatch{full, full.NewSlice(0, 0)}, 1}} {
		for _, stream := range []bool{false, true} {
			path := filepath.Join(dir, fmt.Sprintf("r%d_%v.arrow", i, stream))
			writeIPC(t, path, stream, c.batches...)
			name := fmt.Sprintf("r%d_%v", i, stream)
			if err := e.Register(context.Background(), name, []string{path}); err != nil {
				t.Fatalf("case %d (stream %v): %v", i, stream, err)
			}
			rows, err := e.Query(context.Background(), "SELECT count(*) AS n FROM "+name)
			if err != nil || rows[0]["n"] != c.rows {
				t.Errorf("case %d (stream %v): %v rows, %v; want %d", i, stream, rows, err, c.rows)
			}
		}
	}
}

// A schema nested deeper than any real one is refused, not recursed into:
// a corrupt child offset that points back at its own field recursed until
// the stack overflowed, a crash no recover stops (found by a review).
func TestArrowSchemaNestedTooDeepIsRefused(t *testing.T) {
	var typ arrow.DataType = arrow.BinaryTypes.String
	for range 70 {
		typ = arrow.ListOf(typ)
	}
	schema := arrow.NewSchema([]arrow.Field{{Name: "request_id", Type: arrow.BinaryTypes.String}, {Name: "deep", Type: typ, Nullable: true}}, nil)
	// The schema alone: arrow-go writes no batch nested this deep.
	var buf bytes.Buffer
	if err := ipc.NewWriter(&buf, ipc.WithSchema(schema)).Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "deep.arrow")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, _, err := openArrow(f); err == nil || !strings.Contains(err.Error(), "more than 64 deep") {
		t.Errorf("a schema 70 lists deep: %v, want it refused", err)
	}
}
