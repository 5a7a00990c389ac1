//go:build duckdb_arrow

package duckdb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/cdata"
	"github.com/apache/arrow-go/v18/arrow/memory"
	flatbuffers "github.com/google/flatbuffers/go"
)

// checkedBatches hands DuckDB's Arrow scan only record batches whose
// buffers hold what their lengths and offsets say. arrow-go takes a file's
// buffers as they are: a corrupt offset either panics in it, inside the
// scan, which calls back into Go from DuckDB (the process dies), or passes,
// and DuckDB then reads where the offset points, outside the buffer (a
// segfault). A probe that flipped single bytes of a small request file
// crashed the run in 152 of 626 files; DuckDB's Parquet reader checks its
// pages and crashed on none. A batch that fails the check, or panics in
// arrow-go, ends the scan with an error naming the column when it can.
type checkedBatches struct {
	array.RecordReader
	err error
}

func (c *checkedBatches) Next() (ok bool) {
	defer func() {
		if p := recover(); p != nil {
			c.err, ok = fmt.Errorf("a record batch is corrupt (%v)", p), false
		}
	}()
	if c.err != nil || !c.RecordReader.Next() {
		return false
	}
	rec := c.RecordReader.RecordBatch()
	for i, col := range rec.Columns() {
		if int64(col.Len()) != rec.NumRows() {
			c.err = fmt.Errorf("column %s: a record batch is corrupt: %d values in a batch of %d rows", rec.ColumnName(i), col.Len(), rec.NumRows())
			return false
		}
		if err := checkData(col.Data()); errors.Is(err, errEmptyDictionaryValues) {
			c.err = fmt.Errorf("column %s: %w", rec.ColumnName(i), err)
			return false
		} else if err != nil {
			c.err = fmt.Errorf("column %s: a record batch is corrupt: %w", rec.ColumnName(i), err)
			return false
		}
	}
	// The scan exports the batch through Arrow's C interface, called from
	// DuckDB, where a panic cannot be recovered: it is exported here
	// first, where it can.
	var out cdata.CArrowArray
	cdata.ExportArrowRecordBatch(rec, &out, nil)
	cdata.ReleaseCArrowArray(&out)
	return true
}

func (c *checkedBatches) Err() error {
	if c.err != nil {
		return c.err
	}
	return c.RecordReader.Err()
}

// boundedAllocator refuses one allocation larger than limit, by a panic
// that checkedBatches and openArrow turn into an error: a corrupt block
// length made arrow-go allocate a terabyte, and the process died out of
// memory, which no recover stops. The limit is far above any buffer of
// the file (64 times its size: a compressed buffer grows as it is read,
// and at least 4 GiB).
type boundedAllocator struct {
	memory.Allocator
	limit int
}

func (a boundedAllocator) Allocate(size int) []byte {
	a.check(size)
	return a.Allocator.Allocate(size)
}

func (a boundedAllocator) Reallocate(size int, b []byte) []byte {
	a.check(size)
	return a.Allocator.Reallocate(size, b)
}

func (a boundedAllocator) check(size int) {
	if size > a.limit {
		panic(fmt.Sprintf("it asks for a buffer of %d bytes, more than such a file can hold", size))
	}
}

// checkData checks that the buffers of one array (and of its children and
// dictionary) cover its values: the validity bitmap, fixed-width values,
// and every offset of a string, binary or list within the data it points
// into. It reads each offset once; it does not check what DuckDB checks
// itself (UTF-8, which it refuses with an error of its own).
func checkData(d arrow.ArrayData) error {
	off, n := d.Offset(), d.Len()
	if off < 0 || n < 0 {
		return errors.New("negative length or offset")
	}
	end := off + n
	bufs := d.Buffers()
	buf := func(i int) []byte {
		if i < len(bufs) && bufs[i] != nil {
			return bufs[i].Bytes()
		}
		return nil
	}
	if v := buf(0); v != nil && len(v)*8 < end {
		return errors.New("the validity bitmap is shorter than the column")
	}
	if _, ok := d.DataType().(*arrow.NullType); ok {
		return nil // every value null, and no buffer at all
	}
	// A file states each array's null count; without a bitmap it must be
	// 0 (what arrow-go counts a missing bitmap as, panicking on it when
	// the count is unknown).
	if nulls := d.NullN(); nulls < 0 || nulls > n || nulls > 0 && buf(0) == nil {
		return fmt.Errorf("a null count of %d for %d values", nulls, n)
	}
	valid := func(i int) bool { v := buf(0); return v == nil || bitutil.BitIsSet(v, i) }
	children := d.Children()
	child := func(i int) (arrow.ArrayData, error) {
		if i >= len(children) || children[i] == nil {
			return nil, errors.New("a child array is missing")
		}
		return children[i], checkData(children[i])
	}
	switch t := d.DataType().(type) {
	case arrow.ExtensionType: // a JSON or UUID column: its storage's buffers
		storage := array.NewData(t.StorageType(), n, bufs, children, d.NullN(), off)
		defer storage.Release()
		if dict, ok := d.Dictionary().(*array.Data); ok && dict != nil {
			storage.SetDictionary(dict)
		}
		return checkData(storage)
	case *arrow.DictionaryType:
		width := t.IndexType.(arrow.FixedWidthDataType).BitWidth() / 8
		idx := buf(1)
		if len(idx) < end*width {
			return errors.New("the dictionary indices are shorter than the column")
		}
		dict := d.Dictionary()
		if dict == nil {
			return errors.New("the dictionary is missing")
		}
		if err := checkData(dict); err != nil {
			return fmt.Errorf("its dictionary: %w", err)
		}
		for i := off; i < end; i++ {
			if !valid(i) {
				continue
			}
			if k := readIndex(idx[i*width:], width, t.IndexType); k < 0 || k >= int64(dict.Len()) {
				return fmt.Errorf("dictionary index %d of a dictionary of %d values", k, dict.Len())
			}
		}
		return nil
	case *arrow.BooleanType:
		if len(buf(1))*8 < end {
			return errors.New("the values are shorter than the column")
		}
		return nil
	case *arrow.StringType, *arrow.BinaryType:
		return checkOffsets(buf(1), 4, off, n, int64(len(buf(2))))
	case *arrow.LargeStringType, *arrow.LargeBinaryType:
		return checkOffsets(buf(1), 8, off, n, int64(len(buf(2))))
	case *arrow.StringViewType, *arrow.BinaryViewType:
		return checkViews(buf(1), bufs[min(2, len(bufs)):], off, n)
	case *arrow.ListType, *arrow.MapType:
		c, err := child(0)
		if err != nil {
			return err
		}
		if err := emptyDictionaryValues(n, c); err != nil {
			return err
		}
		return checkOffsets(buf(1), 4, off, n, int64(c.Len()))
	case *arrow.LargeListType:
		c, err := child(0)
		if err != nil {
			return err
		}
		if err := emptyDictionaryValues(n, c); err != nil {
			return err
		}
		return checkOffsets(buf(1), 8, off, n, int64(c.Len()))
	case *arrow.FixedSizeListType:
		c, err := child(0)
		if err != nil {
			return err
		}
		if int64(c.Len()) < int64(end)*int64(t.Len()) {
			return errors.New("the list values are shorter than the column")
		}
		return nil
	case *arrow.StructType:
		for i := range t.Fields() {
			c, err := child(i)
			if err != nil {
				return err
			}
			if c.Len() < end {
				return fmt.Errorf("field %s is shorter than the column", t.Field(i).Name)
			}
		}
		return nil
	case *arrow.RunEndEncodedType:
		ends, err := child(0)
		if err != nil {
			return err
		}
		values, err := child(1)
		if err != nil {
			return err
		}
		if values.Len() < ends.Len() {
			return errors.New("fewer values than runs")
		}
		width := ends.DataType().(arrow.FixedWidthDataType).BitWidth() / 8
		var raw []byte
		if b := ends.Buffers(); len(b) > 1 && b[1] != nil {
			raw = b[1].Bytes()
		}
		if len(raw) < (ends.Offset()+ends.Len())*width {
			return errors.New("the run ends are shorter than their array")
		}
		raw = raw[ends.Offset()*width:]
		prev := int64(0)
		for i := 0; i < ends.Len(); i++ {
			e := readInt(raw[i*width:], width)
			if e <= prev {
				return errors.New("the run ends do not ascend")
			}
			prev = e
		}
		if prev < int64(end) {
			return errors.New("the runs are shorter than the column")
		}
		return nil
	case arrow.FixedWidthDataType:
		if width := t.BitWidth() / 8; len(buf(1)) < end*width {
			return errors.New("the values are shorter than the column")
		}
		return nil
	}
	// Any other type (a union, a list view): arrow-go's own full check.
	arr := array.MakeFromData(d)
	defer arr.Release()
	if v, ok := arr.(interface{ ValidateFull() error }); ok {
		return v.ValidateFull()
	}
	return fmt.Errorf("its Arrow type %s cannot be checked here; write it as another type", d.DataType())
}

// emptyDictionaryValues refuses the values of a batch's lists that are
// dictionary-encoded and none at all, when there are lists (every list of
// the batch null or empty: a column of pandas or polars categoricals).
// DuckDB's Arrow scan fails on them with an internal error, after which
// the database refuses every statement, the runs row included; refused
// here, the run fails naming the column and writes its runs row.
func emptyDictionaryValues(lists int, values arrow.ArrayData) error {
	// A batch of no rows is read (an empty file, or its empty batches).
	if _, ok := values.DataType().(*arrow.DictionaryType); ok && lists > 0 && values.Len() == 0 {
		return errEmptyDictionaryValues
	}
	return nil
}

var errEmptyDictionaryValues = errors.New("its lists hold dictionary-encoded values and, in a record batch, none at all, which DuckDB's Arrow scan cannot read; write the column without dictionary encoding")

// checkOffsets checks the n+1 offsets (each width bytes) from position off
// of a string, binary or list: none negative, none decreasing, the last
// within the data they index (limit bytes or child values).
func checkOffsets(offsets []byte, width, off, n int, limit int64) error {
	if n == 0 {
		return nil
	}
	if len(offsets) < (off+n+1)*width {
		return errors.New("the offsets are shorter than the column")
	}
	prev := readInt(offsets[off*width:], width)
	if prev < 0 {
		return errors.New("a negative offset")
	}
	for i := off + 1; i <= off+n; i++ {
		o := readInt(offsets[i*width:], width)
		if o < prev {
			return errors.New("the offsets decrease")
		}
		prev = o
	}
	if prev > limit {
		return fmt.Errorf("an offset (%d) past the end of its data (%d)", prev, limit)
	}
	return nil
}

// checkViews checks the 16-byte views of a string_view or binary_view
// column: a value longer than 12 bytes points into one of the data
// buffers, and must lie within it.
func checkViews(views []byte, data []*memory.Buffer, off, n int) error {
	if len(views) < (off+n)*16 {
		return errors.New("the views are shorter than the column")
	}
	for i := off; i < off+n; i++ {
		v := views[i*16:]
		size := int64(int32(binary.LittleEndian.Uint32(v)))
		if size < 0 {
			return errors.New("a negative value length")
		}
		if size <= 12 {
			continue
		}
		b, start := int(int32(binary.LittleEndian.Uint32(v[8:]))), int64(int32(binary.LittleEndian.Uint32(v[12:])))
		if b < 0 || b >= len(data) || data[b] == nil || start < 0 || start+size > int64(data[b].Len()) {
			return errors.New("a value points past the end of its data")
		}
	}
	return nil
}

// readIndex reads a dictionary index of type t (signed or not), width
// bytes; one past int64 reads as negative, which no dictionary holds.
func readIndex(b []byte, width int, t arrow.DataType) int64 {
	switch t.ID() {
	case arrow.UINT8:
		return int64(b[0])
	case arrow.UINT16:
		return int64(binary.LittleEndian.Uint16(b))
	case arrow.UINT32:
		return int64(binary.LittleEndian.Uint32(b))
	}
	return readInt(b, width)
}

// readInt reads a little-endian signed integer of width bytes.
func readInt(b []byte, width int) int64 {
	switch width {
	case 1:
		return int64(int8(b[0]))
	case 2:
		return int64(int16(binary.LittleEndian.Uint16(b)))
	case 4:
		return int64(int32(binary.LittleEndian.Uint32(b)))
	default:
		return int64(binary.LittleEndian.Uint64(b))
	}
}

// checkSchemaCounts reads the schema of an Arrow IPC file or stream
// before arrow-go does, and refuses one whose lists of fields, children
// or metadata claim more entries than its bytes could hold: arrow-go makes
// a slice of each list's claimed length, and a corrupt length made it ask
// for hundreds of gigabytes, which ends the process (no recover stops
// it). A read past the end of the bytes panics, which openArrow recovers.
// The schema is the footer's in the file format, the first message's in
// the stream format.
func checkSchemaCounts(f io.ReaderAt, size int64, isFile bool) error {
	read := func(at, n int64) ([]byte, error) {
		if at < 0 || n <= 0 || at+n > size {
			return nil, errors.New("its schema lies outside the file")
		}
		b := make([]byte, n)
		_, err := f.ReadAt(b, at)
		return b, err
	}
	var fb []byte
	var schema flatbuffers.Table
	if isFile {
		tail, err := read(size-10, 10) // the footer's length, then "ARROW1"
		if err != nil {
			return err
		}
		n := int64(int32(binary.LittleEndian.Uint32(tail)))
		if fb, err = read(size-10-n, n); err != nil {
			return err
		}
		s, ok := tableField(root(fb), 1) // Footer.schema
		if !ok {
			return errors.New("its footer has no schema")
		}
		schema = s
	} else {
		head, err := read(0, 8)
		if err != nil {
			return err
		}
		start, n := int64(8), int64(int32(binary.LittleEndian.Uint32(head[4:])))
		if binary.LittleEndian.Uint32(head) != 0xFFFFFFFF { // no continuation marker: the format before Arrow 0.15
			start, n = 4, int64(int32(binary.LittleEndian.Uint32(head)))
		}
		if fb, err = read(start, n); err != nil {
			return err
		}
		s, ok := tableField(root(fb), 2) // Message.header: the Schema
		if !ok {
			return errors.New("its first message has no schema")
		}
		schema = s
	}
	limit := len(fb) / 4
	var fields func(t flatbuffers.Table, listSlot, metaSlot, depth int) error
	fields = func(t flatbuffers.Table, listSlot, metaSlot, depth int) error {
		// A child offset pointing back at its field would recurse here,
		// and in arrow-go, until the stack overflows (a crash no recover
		// stops): no real schema nests anywhere near this deep.
		if depth > 64 {
			return errors.New("its schema nests fields more than 64 deep")
		}
		if vectorLen(t, metaSlot) > limit {
			return errors.New("its schema's metadata claims more entries than it holds")
		}
		n := vectorLen(t, listSlot)
		if n > limit {
			return errors.New("its schema claims more fields than it holds")
		}
		for i := range n {
			// Field: children in slot 5, custom_metadata in slot 6.
			if err := fields(vectorTable(t, listSlot, i), 5, 6, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	// Schema: fields in slot 1, custom_metadata in slot 2.
	return fields(schema, 1, 2, 0)
}

func root(fb []byte) flatbuffers.Table {
	return flatbuffers.Table{Bytes: fb, Pos: flatbuffers.GetUOffsetT(fb)}
}

func slotOffset(t flatbuffers.Table, slot int) flatbuffers.UOffsetT {
	return flatbuffers.UOffsetT(t.Offset(flatbuffers.VOffsetT(4 + 2*slot)))
}

func tableField(t flatbuffers.Table, slot int) (flatbuffers.Table, bool) {
	o := slotOffset(t, slot)
	if o == 0 {
		return flatbuffers.Table{}, false
	}
	return flatbuffers.Table{Bytes: t.Bytes, Pos: t.Indirect(o + t.Pos)}, true
}

func vectorLen(t flatbuffers.Table, slot int) int {
	if o := slotOffset(t, slot); o != 0 {
		return t.VectorLen(o)
	}
	return 0
}

func vectorTable(t flatbuffers.Table, slot, i int) flatbuffers.Table {
	at := t.Vector(slotOffset(t, slot)) + flatbuffers.UOffsetT(i)*4
	return flatbuffers.Table{Bytes: t.Bytes, Pos: t.Indirect(at)}
}
