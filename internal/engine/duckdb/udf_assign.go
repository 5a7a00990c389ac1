package duckdb

/*
#include <stdint.h>

// From duckdb.h, which this package does not include: the symbol comes
// with the DuckDB library duckdb-go links. The unsafe variant does not
// check UTF-8 (the checked one assigns NULL to a value that is not, a key
// silently gone): optout_text_chunk checks every result first and fails
// the query on one that is not.
typedef struct _duckdb_vector { void *internal_ptr; } * duckdb_vector;
void duckdb_unsafe_vector_assign_string_element_len(duckdb_vector vector, uint64_t index, const char *str, uint64_t str_len);

// optout_assign_strings assigns, in one call from Go, out[i] = buf[offs[i] :
// offs[i]+lens[i]] for every i whose lens[i] is not negative.
static void optout_assign_strings(void *out, int n, const char *buf, const int64_t *offs, const int64_t *lens) {
	for (int i = 0; i < n; i++) {
		if (lens[i] >= 0) {
			duckdb_unsafe_vector_assign_string_element_len((duckdb_vector)out, (uint64_t)i, buf + offs[i], (uint64_t)lens[i]);
		}
	}
}
*/
import "C"

import "unsafe"

// assignStrings writes results into vector out: row i gets
// buf[offs[i]:offs[i]+lens[i]], or is left as it is when lens[i] < 0.
func assignStrings(out unsafe.Pointer, buf []byte, offs, lens []int64) {
	if len(lens) == 0 {
		return
	}
	if buf == nil { // a valid pointer even when every result is ""
		buf = make([]byte, 0, 1)
	}
	b := (*C.char)(unsafe.Pointer(unsafe.SliceData(buf)))
	C.optout_assign_strings(out, C.int(len(lens)), b, (*C.int64_t)(unsafe.Pointer(&offs[0])), (*C.int64_t)(unsafe.Pointer(&lens[0])))
}
