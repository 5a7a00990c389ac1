//go:build duckdb_arrow

package duckdb

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/optout-dev/optout/transforms"
)

// ArrowSupported reports whether this build reads Arrow IPC inputs.
const ArrowSupported = true

// copyArrow copies one Arrow IPC file (file or stream format) into the
// table, made where the steps' tables are (tableIn): DuckDB scans the Arrow
// batches arrow-go reads, with no temporary file and no per-value
// conversion in Go. The scan is a one-shot stream, so the rows are
// materialized once and every step reads the table.
func (e *Engine) copyArrow(ctx context.Context, file, table string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	reader, ended, err := openArrow(f)
	if err != nil {
		return err
	}
	defer reader.Release()
	// DuckDB would rename the second of two names that differ only by case
	// (Email_1), and the contract check would not see it.
	seen := map[string]bool{}
	for _, f := range reader.Schema().Fields() {
		low := strings.ToLower(f.Name)
		if seen[low] {
			return fmt.Errorf("column %s appears twice (column names match case-insensitively)", f.Name)
		}
		seen[low] = true
	}
	view := table + "_scan"
	return e.conn.Raw(func(dc any) error {
		conn, ok := dc.(driver.Conn)
		if !ok {
			return errors.New("not a driver connection")
		}
		ar, err := duckdb.NewArrowFromConn(conn)
		if err != nil {
			return err
		}
		release, err := ar.RegisterView(reader, view)
		if err != nil {
			return unreadableColumn(ar, reader.Schema(), view, err)
		}
		defer release()
		// Conn.Raw holds the connection: statements go to the driver directly.
		exec, ok := conn.(driver.ExecerContext)
		if !ok {
			return errors.New("the DuckDB driver connection cannot execute statements")
		}
		q := fmt.Sprintf("CREATE OR REPLACE %s%s AS SELECT * FROM %s", e.tableIn(), transforms.Ident(table), transforms.Ident(view))
		_, err = exec.ExecContext(ctx, q, nil)
		_, dropErr := exec.ExecContext(ctx, "DROP VIEW IF EXISTS "+transforms.Ident(view), nil)
		if err == nil && reader.Err() != nil {
			err = reader.Err()
		}
		if err == nil {
			err = ended()
		}
		return errors.Join(err, dropErr)
	})
}

// unreadableColumn names the column whose Arrow type DuckDB's Arrow scan
// refuses (a float16, a decimal256): the scan's own message, "arrow scan
// API failure", names none. Each column is offered alone, as an empty
// reader of its one field; err is returned as it is when each passes.
func unreadableColumn(ar *duckdb.Arrow, schema *arrow.Schema, view string, err error) error {
	for _, f := range schema.Fields() {
		one, ferr := array.NewRecordReader(arrow.NewSchema([]arrow.Field{f}, nil), nil)
		if ferr != nil {
			return err
		}
		release, ferr := ar.RegisterView(one, view+"_column")
		one.Release()
		if ferr != nil {
			return fmt.Errorf("column %s: its Arrow type %s cannot be read here; write it as another type, or leave the column out (%w)", f.Name, f.Type, err)
		}
		release()
	}
	return err
}

// openArrow reads the IPC file format (magic "ARROW1", also Feather v2)
// or, failing that, the IPC stream format. ended, called once the reader
// has given its last batch, says whether the input was whole (streamEnd).
// A corrupt file is an error, never a crash: its schema's counts are
// checked first, no buffer may be larger than such a file can hold, and
// every batch is checked before DuckDB reads it (arrow_check.go).
func openArrow(f *os.File) (reader array.RecordReader, ended func() error, err error) {
	defer func() {
		// arrow-go panics on some corrupt schemas and footers.
		if p := recover(); p != nil {
			reader, ended, err = nil, nil, fmt.Errorf("it is not a whole Arrow IPC file (%v)", p)
		}
	}()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	alloc := ipc.WithAllocator(boundedAllocator{memory.DefaultAllocator, max(64*int(st.Size()), 4<<30)})
	magic := make([]byte, 6)
	if _, err := io.ReadFull(f, magic); err != nil {
		return nil, nil, fmt.Errorf("it is too short to be Arrow IPC (%v)", err)
	}
	switch {
	case string(magic) == "ARROW1":
		if err := checkSchemaCounts(f, st.Size(), true); err != nil {
			return nil, nil, fmt.Errorf("it is not a whole Arrow IPC file: %w", err)
		}
		// The file format is read from its footer: a file cut short has
		// none, and the reader refuses it.
		fr, err := ipc.NewFileReader(f, alloc)
		if err != nil {
			return nil, nil, err
		}
		b := &fileBatches{f: fr}
		b.refs.Store(1)
		return &checkedBatches{RecordReader: b}, func() error { return nil }, nil
	case string(magic[:4]) == "FEA1":
		return nil, nil, errors.New("it is Feather version 1; write Feather version 2 (Arrow IPC) instead")
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, nil, err
	}
	if err := checkSchemaCounts(f, st.Size(), false); err != nil {
		return nil, nil, fmt.Errorf("it is neither an IPC file nor an IPC stream (%v)", err)
	}
	end := &streamEnd{f: f}
	r, err := ipc.NewReader(end, alloc)
	if err != nil {
		return nil, nil, fmt.Errorf("it is neither an IPC file nor an IPC stream (%v)", err)
	}
	return &checkedBatches{RecordReader: r}, end.check, nil
}

// streamEnd watches an IPC stream as arrow-go reads it. arrow-go ends a
// stream quietly both at its end-of-stream marker and where the bytes run
// out between two messages, so a stream cut at a batch boundary (a writer
// killed, a copy interrupted) would lose its last batches with no error;
// and it stops at the marker, so a second stream appended after it would
// never be read. Both are a file that is not whole (SPEC §7: exit 3, never
// a silently dropped row).
type streamEnd struct {
	f      *os.File
	read   int64
	ranOut bool // a read found no bytes left: the stream had no end marker
}

func (s *streamEnd) Read(p []byte) (int, error) {
	n, err := s.f.Read(p)
	s.read += int64(n)
	if err == io.EOF {
		s.ranOut = true
	}
	return n, err
}

func (s *streamEnd) check() error {
	if s.ranOut {
		return errors.New("its IPC stream ends without the end-of-stream marker: the file is cut short, and record batches may be missing")
	}
	st, err := s.f.Stat()
	if err != nil {
		return err
	}
	if extra := st.Size() - s.read; extra > 0 {
		return fmt.Errorf("it has %d bytes after the end-of-stream marker of its IPC stream (two streams in one file?), which would not be read", extra)
	}
	return nil
}

// fileBatches reads an IPC file's record batches in order as a RecordReader.
type fileBatches struct {
	f    *ipc.FileReader
	next int
	cur  arrow.RecordBatch
	err  error
	refs atomic.Int64
}

func (b *fileBatches) Schema() *arrow.Schema { return b.f.Schema() }
func (b *fileBatches) Retain()               { b.refs.Add(1) }
func (b *fileBatches) Release() {
	if b.refs.Add(-1) == 0 {
		if b.cur != nil {
			b.cur.Release()
			b.cur = nil
		}
		b.f.Close()
	}
}
func (b *fileBatches) Next() bool {
	if b.cur != nil {
		b.cur.Release()
		b.cur = nil
	}
	if b.err != nil || b.next >= b.f.NumRecords() {
		return false
	}
	b.cur, b.err = b.f.RecordBatchAt(b.next)
	b.next++
	return b.err == nil
}
func (b *fileBatches) RecordBatch() arrow.RecordBatch { return b.cur }
func (b *fileBatches) Record() arrow.RecordBatch      { return b.cur }
func (b *fileBatches) Err() error                     { return b.err }
