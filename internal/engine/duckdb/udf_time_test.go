package duckdb

import (
	"context"
	"strings"
	"testing"
)

// optout_local_time must be DuckDB's timezone(): every 29 minutes and 19
// seconds from 1999 to 2041 (every offset a zone takes, and every change
// of one within half an hour, at a different minute of the hour each
// time), in zones with DST changes at odd times, half-
// and quarter-hour offsets, a 30-minute DST (Lord Howe), rules changed in
// this century (Casablanca's Ramadan DST, Mexico's end of DST, Samoa
// skipping a day) and southern-hemisphere DST. A difference is the Go time
// zone database disagreeing with ICU's, and fails here, naming the zone
// and the first instants.
func TestLocalTimeIsDuckDBs(t *testing.T) {
	e := openNorm(t)
	zones := []string{"America/Los_Angeles", "America/New_York", "America/Phoenix", "America/St_Johns",
		"Europe/London", "Europe/Dublin", "Africa/Casablanca", "Asia/Kathmandu", "Asia/Kolkata",
		"Australia/Lord_Howe", "Pacific/Chatham", "Pacific/Apia", "America/Mexico_City", "America/Santiago", "UTC"}
	for _, zone := range zones {
		var n int64
		var first string
		err := e.conn.QueryRowContext(context.Background(), `
WITH instants AS (
  SELECT TIMESTAMPTZ '1999-01-01 00:00:00+00' + to_seconds(s * 1759) AS t
  FROM range(0, 42 * 366 * 24 * 3600 // 1759) r(s)
),
compared AS (
  SELECT t, timezone(?, t) AS duckdb, optout_local_time(t, ?) AS go FROM instants
)
SELECT count(*) FILTER (WHERE duckdb IS DISTINCT FROM go),
  coalesce(string_agg(strftime(t AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') || ' ' || duckdb || ' ' || go, ', ' ORDER BY t)
    FILTER (WHERE duckdb IS DISTINCT FROM go), '')
FROM compared`, zone, zone).Scan(&n, &first)
		if err != nil {
			t.Fatalf("%s: %v", zone, err)
		}
		if n > 0 {
			t.Errorf("%s: %d instants whose wall-clock time differs (instant, DuckDB's, Go's): %s", zone, n, first[:min(len(first), 600)])
		}
	}
}

func TestLocalTimeEdges(t *testing.T) {
	e := openNorm(t)
	var local, null1, null2 any
	var inf string
	if err := e.conn.QueryRowContext(context.Background(),
		`SELECT optout_local_time(TIMESTAMPTZ '2026-03-08 10:30:00+00', 'America/Los_Angeles'),
		   optout_local_time(NULL, 'UTC'), optout_local_time(TIMESTAMPTZ '2026-01-01 00:00:00+00', NULL),
		   CAST(optout_local_time(TIMESTAMPTZ 'infinity', 'UTC') AS VARCHAR)`).Scan(&local, &null1, &null2, &inf); err != nil {
		t.Fatal(err)
	}
	// 10:30 UTC on the day DST begins in Los Angeles is 03:30 PDT.
	if got := local.(interface{ Format(string) string }).Format("2006-01-02 15:04"); got != "2026-03-08 03:30" || null1 != nil || null2 != nil || inf != "infinity" {
		t.Errorf("got %v, %v, %v, %v", got, null1, null2, inf)
	}
	_, err := e.conn.ExecContext(context.Background(), `SELECT optout_local_time(TIMESTAMPTZ '2026-01-01 00:00:00+00', 'Mars/Olympus')`)
	if err == nil || !strings.Contains(err.Error(), `unknown time zone "Mars/Olympus"`) {
		t.Errorf("an unknown zone: %v", err)
	}
}
