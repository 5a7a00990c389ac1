package duckdb

/*
#include <stdlib.h>
void optout_text_chunk(void *, void *, void *);
typedef void (*optout_chunk_fn)(void *, void *, void *);
typedef void (*optout_free_fn)(void *);
*/
import "C"

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"unicode/utf8"
	"unsafe"

	"github.com/duckdb/duckdb-go/v2/mapping"

	"github.com/optout-dev/optout/internal/redact"
	"github.com/optout-dev/optout/transforms"
)

// textFunc is a DuckDB scalar function VARCHAR → VARCHAR computed by Go:
// NULL in gives NULL out, and so does fn's ok false.
type textFunc struct {
	name string
	fn   func(string) (string, bool)
}

// goFunctions are the functions DuckDB runs in Go, with the Go reference
// (transforms/normalize.go, transforms/gpp.go) as their one definition; the
// BigQuery engine defines the same names in SQL (sql/macros.bigquery.sql)
// and is held to the same test values (internal/testkit/normtest).
//
//   - optout_gpp: GPP's Fibonacci-coded header does not fit an SQL
//     expression.
//   - the email and phone keys: as SQL macros they were most of the cost
//     of normalizing a row; in Go they cost a half (email) to a third
//     (phone) as much (1.5M values: 0.67 → 0.31 s and 0.48 → 0.18 s), the
//     call from DuckDB included.
//   - optout_trim_text, under the optout_trim macro (sql/macros.sql) and so
//     under every id, word and key: a quarter of the cost of a regular
//     expression since the calls are vectorized (BigQuery's optout_trim is
//     its TRIM).
var goFunctions = []textFunc{
	{"optout_trim_text", func(s string) (string, bool) { return transforms.Trim(s), true }},
	// Under the optout_id macro: the trimmed value, NULL when empty, in one
	// call (nullif(optout_trim(x), '') trimmed twice).
	{"optout_id_text", func(s string) (string, bool) {
		t := transforms.Trim(s)
		return t, t != ""
	}},
	{"optout_gpp", func(s string) (string, bool) { return transforms.DecodeGPP(s), true }},
	{"optout_email", func(s string) (string, bool) {
		_, key, ok := transforms.EmailKey(s)
		return key, ok
	}},
	// The email_sha256 of the unfolded address (of one that yields a key).
	{"optout_email_sha", func(s string) (string, bool) {
		clean, _, ok := transforms.EmailKey(s)
		if !ok {
			return "", false
		}
		return transforms.SHA256Hex(clean), true
	}},
	// The email_sha256 of the folded address, when folding changed it.
	{"optout_email_folded_sha", func(s string) (string, bool) {
		clean, key, ok := transforms.EmailKey(s)
		if !ok || key == clean {
			return "", false
		}
		return transforms.SHA256Hex(key), true
	}},
	{"optout_phone", func(s string) (string, bool) {
		p := transforms.PhoneE164(s)
		return p, p != ""
	}},
	{"optout_device", func(s string) (string, bool) {
		d := transforms.DeviceKey(s)
		return d, d != ""
	}},
	// Under the optout_state macro. In SQL it trimmed three times a row
	// (to test for ASCII, then to upper-case or keep the value).
	{"optout_state_text", func(s string) (string, bool) {
		st := transforms.StateCode(s)
		return st, st != ""
	}},
}

// registerFunctions defines goFunctions and optout_local_time
// (udf_time.go) on conn's database. They are
// vectorized: DuckDB calls one Go function per chunk of up to 2,048 values
// (optout_text_chunk), which reads each value where DuckDB holds it and
// assigns the chunk's results in one call.
// duckdb-go's own scalar functions (RegisterScalarUDF) go value by value:
// each value copied into Go and boxed, its result converted and assigned
// by a cgo call apiece, which made a value cost 4-6x the function itself
// (BenchmarkGoFunctions; docs/decisions.md).
func registerFunctions(_ context.Context, conn *sql.Conn) error {
	return conn.Raw(func(driverConn any) error {
		c, err := rawConnection(driverConn)
		if err != nil {
			return err
		}
		text := mapping.CreateLogicalType(mapping.TypeVarchar)
		defer mapping.DestroyLogicalType(&text)
		for i, f := range goFunctions {
			fn := mapping.CreateScalarFunction()
			mapping.ScalarFunctionSetName(fn, f.name)
			mapping.ScalarFunctionAddParameter(fn, text)
			mapping.ScalarFunctionSetReturnType(fn, text)
			mapping.ScalarFunctionSetFunction(fn, unsafe.Pointer(C.optout_chunk_fn(C.optout_text_chunk)))
			// The function's index in goFunctions, in C memory that DuckDB
			// frees with the function: a Go pointer may not be kept by C.
			idx := (*C.int)(C.malloc(C.size_t(unsafe.Sizeof(C.int(0)))))
			*idx = C.int(i)
			mapping.ScalarFunctionSetExtraInfo(fn, unsafe.Pointer(idx), unsafe.Pointer(C.optout_free_fn(C.free)))
			state := mapping.RegisterScalarFunction(c, fn)
			mapping.DestroyScalarFunction(&fn)
			if state == mapping.StateError {
				return fmt.Errorf("register %s: DuckDB refused the function", f.name)
			}
		}
		return registerLocalTime(c)
	})
}

// rawConnection is the DuckDB C connection inside duckdb-go's driver
// connection, which duckdb-go does not export. The field is looked up by
// name and type, so a duckdb-go that changes it fails here, at open,
// rather than later.
func rawConnection(driverConn any) (mapping.Connection, error) {
	v := reflect.ValueOf(driverConn)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() == reflect.Struct {
		if f := v.FieldByName("conn"); f.IsValid() && f.Type() == reflect.TypeFor[mapping.Connection]() && f.CanAddr() {
			return *(*mapping.Connection)(unsafe.Pointer(f.UnsafeAddr())), nil
		}
	}
	return mapping.Connection{}, fmt.Errorf("register the Go functions: duckdb-go's connection (%T) has no C connection where this version of optout looks for it", driverConn)
}

// optout_text_chunk computes goFunctions[extra info] over one chunk: NULL
// in, or the function's ok false, gives NULL out. It must not panic (a
// panic in a call from C ends the process): one is reported as the
// query's error.
//
//export optout_text_chunk
func optout_text_chunk(infoPtr, inputPtr, outputPtr unsafe.Pointer) {
	info := mapping.FunctionInfo{Ptr: infoPtr}
	f := goFunctions[*(*C.int)(mapping.ScalarFunctionGetExtraInfo(info))]
	defer func() {
		if p := recover(); p != nil {
			mapping.ScalarFunctionSetError(info, redact.String(fmt.Sprintf("%s: %v", f.name, p)))
		}
	}()
	input := mapping.DataChunk{Ptr: inputPtr}
	n := int(mapping.DataChunkGetSize(input))
	in := mapping.DataChunkGetVector(input, 0)
	values := unsafe.Slice((*stringT)(mapping.VectorGetData(in)), n)
	valid := validity{mask: mapping.VectorGetValidity(in)}
	out := mapping.Vector{Ptr: outputPtr}
	mapping.VectorEnsureValidityWritable(out)
	outValid := validity{mask: mapping.VectorGetValidity(out)}
	r := results.Get().(*chunkResults)
	defer results.Put(r)
	r.reset(n)
	for i := range values {
		if valid.isValid(i) {
			// The value is read where DuckDB holds it, for this call
			// only: the functions keep nothing.
			if v, ok := f.fn(values[i].String()); ok {
				if !utf8.ValidString(v) {
					// DuckDB's text is UTF-8 and so is every result of
					// valid input; never store a broken one, nor drop it.
					mapping.ScalarFunctionSetError(info, f.name+": a result is not valid UTF-8")
					return
				}
				r.set(i, v)
				continue
			}
		}
		outValid.setInvalid(i)
	}
	assignStrings(outputPtr, r.buf, r.offs, r.lens)
}

// chunkResults holds one chunk's results until they are assigned to the
// output vector together: one cgo call a chunk, not one a value.
type chunkResults struct {
	buf        []byte
	offs, lens []int64 // lens[i] < 0: row i has no result
}

var results = sync.Pool{New: func() any { return &chunkResults{} }}

func (r *chunkResults) reset(n int) {
	r.buf = r.buf[:0]
	r.offs = slices.Grow(r.offs[:0], n)[:n]
	r.lens = slices.Grow(r.lens[:0], n)[:n]
	for i := range r.lens {
		r.lens[i] = -1
	}
}

func (r *chunkResults) set(i int, v string) {
	r.offs[i], r.lens[i] = int64(len(r.buf)), int64(len(v))
	r.buf = append(r.buf, v...)
}

// stringT is DuckDB's string_t (duckdb.h): a length, then the string
// itself when it fits in 12 bytes, else a 4-byte prefix and a pointer.
type stringT struct {
	length uint32
	prefix [4]byte
	ptr    unsafe.Pointer
}

// String is the value, not copied: valid while DuckDB holds the vector.
func (s *stringT) String() string {
	if s.length <= 12 {
		return unsafe.String((*byte)(unsafe.Pointer(&s.prefix)), int(s.length))
	}
	return unsafe.String((*byte)(s.ptr), int(s.length))
}

// validity is a vector's validity mask: a bit per row, 1 for a value; a
// nil mask means every row has one.
type validity struct{ mask unsafe.Pointer }

func (v validity) isValid(i int) bool {
	if v.mask == nil {
		return true
	}
	w := *(*uint64)(unsafe.Add(v.mask, i/64*8))
	return w>>(i%64)&1 == 1
}

func (v validity) setInvalid(i int) {
	w := (*uint64)(unsafe.Add(v.mask, i/64*8))
	*w &^= 1 << (i % 64)
}
