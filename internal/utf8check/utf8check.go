// Package utf8check finds where a Parquet or Arrow IPC file holds a text
// value that is not valid UTF-8, so that an error can name the column and
// row instead of quoting the value (the engines' own messages quote it).
// arrow-go reads such bytes as they are, where DuckDB refuses them; this
// runs only after a run has failed on them.
package utf8check

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/arrio"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// Location is a value's top-level column and its row, counted from 1.
type Location struct {
	Column string
	Row    int64
}

// Find returns the first row (the leftmost column on that row) holding a
// text value that is not UTF-8, also inside lists, structs and maps; ok is
// false when the file has none. A .arrow, .feather or .ipc file is read as
// Arrow IPC, any other as Parquet.
func Find(ctx context.Context, path string, arrowIPC bool) (loc Location, ok bool, err error) {
	// arrow-go panics on some corrupt pages (snappy: corrupt input): a
	// file it cannot read is an error here, never a crash of the run.
	defer func() {
		if p := recover(); p != nil {
			loc, ok, err = Location{}, false, fmt.Errorf("file %s cannot be read: %v", path, p)
		}
	}()
	f, err := os.Open(path)
	if err != nil {
		return Location{}, false, err
	}
	defer f.Close()
	var batches arrio.Reader
	if arrowIPC {
		batches, err = openIPC(f)
	} else {
		batches, err = openParquet(ctx, f)
	}
	if err != nil || batches == nil {
		return Location{}, false, err
	}
	return scan(batches)
}

// openParquet reads the columns that hold text (nil when none does).
func openParquet(ctx context.Context, f *os.File) (arrio.Reader, error) {
	pf, err := file.NewParquetReader(f)
	if err != nil {
		return nil, err
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: 64 << 10}, memory.DefaultAllocator)
	if err != nil {
		return nil, err
	}
	var cols []int
	for _, field := range fr.Manifest.Fields {
		if hasText(field.Field.Type) {
			cols = leaves(field, cols)
		}
	}
	if len(cols) == 0 {
		return nil, nil
	}
	return fr.GetRecordReader(ctx, cols, nil)
}

// openIPC reads the IPC file format (magic "ARROW1") or the stream format.
func openIPC(f *os.File) (arrio.Reader, error) {
	magic := make([]byte, 6)
	if _, err := io.ReadFull(f, magic); err == nil && string(magic) == "ARROW1" {
		return ipc.NewFileReader(f)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return ipc.NewReader(f)
}

func scan(batches arrio.Reader) (Location, bool, error) {
	var before int64 // rows of the earlier batches
	for {
		rec, err := batches.Read()
		if errors.Is(err, io.EOF) {
			return Location{}, false, nil
		} else if err != nil {
			return Location{}, false, err
		}
		for i := 0; i < int(rec.NumRows()); i++ {
			for c, col := range rec.Columns() {
				if invalid(col, i) {
					return Location{Column: rec.ColumnName(c), Row: before + int64(i) + 1}, true, nil
				}
			}
		}
		before += rec.NumRows()
	}
}

// invalid reports whether element i of a holds text that is not UTF-8.
func invalid(a arrow.Array, i int) bool {
	if a.IsNull(i) {
		return false
	}
	switch a := a.(type) {
	case *array.String:
		return !utf8.ValidString(a.Value(i))
	case *array.LargeString:
		return !utf8.ValidString(a.Value(i))
	case *array.StringView:
		return !utf8.ValidString(a.Value(i))
	case *array.Dictionary:
		return invalid(a.Dictionary(), a.GetValueIndex(i))
	case *array.Struct:
		for f := 0; f < a.NumField(); f++ {
			if invalid(a.Field(f), i) {
				return true
			}
		}
	case array.ListLike: // lists and maps
		start, end := a.ValueOffsets(i)
		for j := start; j < end; j++ {
			if invalid(a.ListValues(), int(j)) {
				return true
			}
		}
	}
	return false
}

func hasText(t arrow.DataType) bool {
	switch t := t.(type) {
	case *arrow.StringType, *arrow.LargeStringType, *arrow.StringViewType:
		return true
	case *arrow.DictionaryType:
		return hasText(t.ValueType)
	case arrow.NestedType:
		for _, f := range t.Fields() {
			if hasText(f.Type) {
				return true
			}
		}
	}
	return false
}

// leaves appends the Parquet leaf columns of a field.
func leaves(f pqarrow.SchemaField, cols []int) []int {
	if f.IsLeaf() {
		return append(cols, f.ColIndex)
	}
	for _, c := range f.Children {
		cols = leaves(c, cols)
	}
	return cols
}
