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
	reader, err := openArrow(f)
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
			return err
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
		return errors.Join(err, dropErr)
	})
}

// openArrow reads the IPC file format (magic "ARROW1", also Feather v2)
// or, failing that, the IPC stream format.
func openArrow(f *os.File) (array.RecordReader, error) {
	magic := make([]byte, 6)
	if _, err := io.ReadFull(f, magic); err != nil {
		return nil, fmt.Errorf("it is too short to be Arrow IPC (%v)", err)
	}
	switch {
	case string(magic) == "ARROW1":
		fr, err := ipc.NewFileReader(f)
		if err != nil {
			return nil, err
		}
		b := &fileBatches{f: fr}
		b.refs.Store(1)
		return b, nil
	case string(magic[:4]) == "FEA1":
		return nil, errors.New("it is Feather version 1; write Feather version 2 (Arrow IPC) instead")
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	r, err := ipc.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("it is neither an IPC file nor an IPC stream (%v)", err)
	}
	return r, nil
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
