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

// The check that OpenWarehouse makes of the configured zone passes for
// optout_local_time, and fails for a function whose rules differ from
// DuckDB's by a week (DST a week late), or only by an hour at each change
// (DST starting and ending an hour late), each time naming the zone and
// the first instant.
func TestCheckLocalTimeFindsOtherRules(t *testing.T) {
	e := openNorm(t)
	ctx := context.Background()
	for _, zone := range []string{"America/Los_Angeles", "Australia/Lord_Howe", "UTC"} {
		if err := e.CheckLocalTime(ctx, zone); err != nil {
			t.Errorf("%s: %v", zone, err)
		}
	}
	for name, def := range map[string]string{
		"week_late": "timezone(z, t - INTERVAL 7 DAY) + INTERVAL 7 DAY",
		"hour_late": "timezone(z, t - INTERVAL 1 HOUR) + INTERVAL 1 HOUR",
	} {
		if _, err := e.conn.ExecContext(ctx, "CREATE MACRO "+name+"(t, z) AS "+def); err != nil {
			t.Fatal(err)
		}
		err := e.compareLocalTime(ctx, "America/Los_Angeles", name)
		if err == nil || !strings.Contains(err.Error(), "time zone America/Los_Angeles: Go's time zone database and DuckDB's disagree") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// Over chunks of rows whose zone changes from row to row, with NULLs of
// either argument and both infinities among them, optout_local_time is
// timezone() row by row (NULL where either argument is).
func TestLocalTimeRowByRow(t *testing.T) {
	e := openNorm(t)
	var n, differ int64
	err := e.conn.QueryRowContext(context.Background(), `
WITH rows AS (
  SELECT CASE WHEN i % 11 = 0 THEN NULL WHEN i = 5 THEN TIMESTAMPTZ 'infinity' WHEN i = 6 THEN TIMESTAMPTZ '-infinity'
      ELSE to_timestamp(1600000000 + i * 7919) END AS t,
    CASE WHEN i % 13 = 0 THEN NULL ELSE ['America/Los_Angeles', 'Asia/Kathmandu', 'UTC', 'Australia/Lord_Howe', 'Europe/London'][1 + i % 5] END AS z
  FROM range(5000) r(i)
)
SELECT count(*), count(*) FILTER (WHERE optout_local_time(t, z) IS DISTINCT FROM CASE WHEN z IS NOT NULL THEN timezone(z, t) END)
FROM rows`).Scan(&n, &differ)
	if err != nil {
		t.Fatal(err)
	}
	if n != 5000 || differ != 0 {
		t.Errorf("%d of %d rows differ from timezone()", differ, n)
	}
}
