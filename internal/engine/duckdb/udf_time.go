package duckdb

/*
void optout_local_time_chunk(void *, void *, void *);
typedef void (*optout_local_time_fn)(void *, void *, void *);
*/
import "C"

import (
	"context"
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
// metrics' months). DuckDB's timezone() asks ICU for each value, 0.3-0.8
// µs; Go's time package answers from the zone's transitions in a few tens
// of nanoseconds (at 10M requests the ledger step took 736 ms against 961).
// Each reads its own copy of the IANA time zone database, of versions the
// host and the DuckDB build decide: TestLocalTimeIsDuckDBs holds the two
// to the same wall-clock times across the DST changes of zones with odd
// offsets and rules here, and CheckLocalTime the configured zone wherever
// a run opens DuckDB.
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
// ok is false when the wall-clock time is past what an int64 holds, or
// would read as an infinite timestamp.
func localMicros(us int64, zone *time.Location) (local int64, ok bool) {
	if us == math.MaxInt64 || us == -math.MaxInt64 {
		return us, true
	}
	_, offset := time.UnixMicro(us).In(zone).Zone()
	shift := int64(offset) * 1_000_000
	if shift > 0 && us >= math.MaxInt64-shift || shift < 0 && us <= -math.MaxInt64-shift {
		return 0, false
	}
	return us + shift, true
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
		local, ok := localMicros(values[i], zone)
		if !ok {
			mapping.ScalarFunctionSetError(info, fmt.Sprintf("%s: the wall-clock time in %s of an instant %d µs from the epoch is out of range", localTimeFunction, zoneName, values[i]))
			return
		}
		results[i] = local
	}
}

// CheckLocalTime fails when optout_local_time and DuckDB's timezone() give
// zone different wall-clock times. A run dates each request through Go
// (optout_local_time) and finds the first instant of a local day (a
// deadline's end, a DATE received_at) through DuckDB, and the two read
// separate copies of the IANA database, whose versions the host and the
// DuckDB build decide: a zone whose rules changed in between would date a
// request by one and its deadline by the other. OpenWarehouse checks the
// configured zone, so that such a host fails every run, naming the zone,
// instead of writing days off by one.
func (e *Engine) CheckLocalTime(ctx context.Context, zone string) error {
	return e.compareLocalTime(ctx, zone, localTimeFunction)
}

// compareLocalTime compares function fn(instant, zone) with timezone()
// at noon UTC of every day from 1999 to 2040, where rules that differ by a
// day or more show, and hourly within two days of each day whose offset
// changed in either, where a change at another hour shows: 25-35 ms for
// a zone with DST, most of it DuckDB's timezone() on 23,000 instants.
// The instants are made by epoch arithmetic, which asks ICU nothing.
func (e *Engine) compareLocalTime(ctx context.Context, zone, fn string) error {
	q := `WITH days AS (
  SELECT to_timestamp(915192000 + d * 86400) AS t FROM range(0, 42 * 366) r(d) -- noon UTC from 1999-01-01
),
daily AS (
  SELECT t, timezone($1, t) AS duckdb, ` + fn + `(t, $1) AS go FROM days
),
changed AS (
  SELECT t FROM (
    SELECT t, epoch(duckdb) - epoch(t) AS a, epoch(go) - epoch(t) AS b,
      a IS DISTINCT FROM lag(a) OVER (ORDER BY t) OR b IS DISTINCT FROM lag(b) OVER (ORDER BY t) AS change
    FROM daily
  ) WHERE change
),
hourly AS (
  SELECT t, timezone($1, t) AS duckdb, ` + fn + `(t, $1) AS go
  FROM (SELECT DISTINCT to_timestamp(epoch(c.t) + h * 3600) AS t FROM changed c, range(-48, 49) r(h))
),
compared AS (
  SELECT * FROM daily UNION ALL SELECT * FROM hourly
)
SELECT count(*) AS n, CAST(arg_min(t, t) AS VARCHAR) AS at, CAST(arg_min(duckdb, t) AS VARCHAR) AS duckdb, CAST(arg_min(go, t) AS VARCHAR) AS go
FROM compared WHERE duckdb IS DISTINCT FROM go`
	rows, err := e.query(ctx, q, zone)
	if err != nil {
		return fmt.Errorf("time zone %s: compare Go's wall-clock times with DuckDB's: %w", zone, err)
	}
	if n, _ := rows[0]["n"].(int64); n > 0 {
		return fmt.Errorf("time zone %s: Go's time zone database and DuckDB's disagree on its wall-clock time at %d of the instants compared, the first %v (DuckDB %v, Go %v): optout would date requests by one and deadlines by the other; bring the host's tzdata (read by Go) and DuckDB's ICU data to the same rules for %s, or set timezone to a zone they agree on",
			zone, n, rows[0]["at"], rows[0]["duckdb"], rows[0]["go"], zone)
	}
	return nil
}
