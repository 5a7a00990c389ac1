package duckdb

/*
void optout_local_time_chunk(void *, void *, void *);
typedef void (*optout_local_time_fn)(void *, void *, void *);
*/
import "C"

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/duckdb/duckdb-go/v2/mapping"

	"github.com/optout-dev/optout/internal/redact"
)

// optout_local_time(instant TIMESTAMPTZ, zone VARCHAR) → TIMESTAMP is the
// wall-clock time of instant in the IANA time zone zone: DuckDB's
// timezone(zone, instant), which Dialect.CivilTime renders on DuckDB under
// every civil date and month of a run (received_day, the ledger's days, the
// metrics' months). DuckDB's timezone() asks ICU for each value: 0.3-0.8 µs
// a value, about half of the ledger step at 10M requests. Go's time
// package answers from the zone's transitions in a few tens of
// nanoseconds. Both read the IANA time zone database;
// TestLocalTimeIsDuckDBs holds the two to the same wall-clock times across
// the DST changes of zones with odd offsets and rules.
const localTimeFunction = "optout_local_time"

// registerLocalTime defines optout_local_time on connection c's database
// (registerFunctions calls it with the text functions): one Go call a
// chunk, as for those.
func registerLocalTime(c mapping.Connection) error {
	instant := mapping.CreateLogicalType(mapping.TypeTimestampTZ)
	defer mapping.DestroyLogicalType(&instant)
	zone := mapping.CreateLogicalType(mapping.TypeVarchar)
	defer mapping.DestroyLogicalType(&zone)
	local := mapping.CreateLogicalType(mapping.TypeTimestamp)
	defer mapping.DestroyLogicalType(&local)
	fn := mapping.CreateScalarFunction()
	defer mapping.DestroyScalarFunction(&fn)
	mapping.ScalarFunctionSetName(fn, localTimeFunction)
	mapping.ScalarFunctionAddParameter(fn, instant)
	mapping.ScalarFunctionAddParameter(fn, zone)
	mapping.ScalarFunctionSetReturnType(fn, local)
	mapping.ScalarFunctionSetFunction(fn, unsafe.Pointer(C.optout_local_time_fn(C.optout_local_time_chunk)))
	if mapping.RegisterScalarFunction(c, fn) == mapping.StateError {
		return fmt.Errorf("register %s: DuckDB refused the function", localTimeFunction)
	}
	return nil
}

// zones caches the time zones optout_local_time has loaded, by name.
var zones sync.Map // string → *time.Location

// loadZone is the zone named name, which may point into DuckDB's memory:
// the cache keeps a copy of it.
func loadZone(name string) (*time.Location, error) {
	if z, ok := zones.Load(name); ok {
		return z.(*time.Location), nil
	}
	z, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones.Store(strings.Clone(name), z)
	return z, nil
}

// localMicros is the wall-clock time, in microseconds since the epoch, of
// the instant us (microseconds since the epoch) in zone. DuckDB's infinite
// timestamps (±math.MaxInt64) stay what they are, as timezone() keeps them.
func localMicros(us int64, zone *time.Location) int64 {
	if us == math.MaxInt64 || us == -math.MaxInt64 {
		return us
	}
	_, offset := time.UnixMicro(us).In(zone).Zone()
	return us + int64(offset)*1_000_000
}

// optout_local_time_chunk computes optout_local_time over one chunk: NULL
// in either argument gives NULL. A zone Go does not know fails the query,
// as timezone() does. It must not panic (a panic in a call from C ends
// the process): one is reported as the query's error.
//
//export optout_local_time_chunk
func optout_local_time_chunk(infoPtr, inputPtr, outputPtr unsafe.Pointer) {
	info := mapping.FunctionInfo{Ptr: infoPtr}
	defer func() {
		if p := recover(); p != nil {
			mapping.ScalarFunctionSetError(info, redact.String(fmt.Sprintf("%s: %v", localTimeFunction, p)))
		}
	}()
	input := mapping.DataChunk{Ptr: inputPtr}
	n := int(mapping.DataChunkGetSize(input))
	instants := mapping.DataChunkGetVector(input, 0)
	names := mapping.DataChunkGetVector(input, 1)
	values := unsafe.Slice((*int64)(mapping.VectorGetData(instants)), n)
	zoneNames := unsafe.Slice((*stringT)(mapping.VectorGetData(names)), n)
	valid := validity{mask: mapping.VectorGetValidity(instants)}
	zoneValid := validity{mask: mapping.VectorGetValidity(names)}
	out := mapping.Vector{Ptr: outputPtr}
	mapping.VectorEnsureValidityWritable(out)
	outValid := validity{mask: mapping.VectorGetValidity(out)}
	results := unsafe.Slice((*int64)(mapping.VectorGetData(out)), n)
	var zone *time.Location
	var zoneName string
	for i := range values {
		if !valid.isValid(i) || !zoneValid.isValid(i) {
			outValid.setInvalid(i)
			continue
		}
		// The zone is one bind value in every call optout makes: loaded
		// once a chunk, compared (not copied) for the other rows.
		if name := zoneNames[i].String(); zone == nil || name != zoneName {
			z, err := loadZone(name)
			if err != nil {
				mapping.ScalarFunctionSetError(info, fmt.Sprintf("%s: unknown time zone %q", localTimeFunction, name))
				return
			}
			zone, zoneName = z, name
		}
		results[i] = localMicros(values[i], zone)
	}
}
