package transforms

import (
	"testing"
	"time"
)

// Dates and instants are spliced as typed literals, strings never; a Day
// is a DATE (not a TIMESTAMP cast to DATE, which depends on the session's
// time zone) and binds as its midnight UTC on DuckDB.
func TestInlineParams(t *testing.T) {
	d := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	sql, kept, err := InlineParams("SELECT ?, ?, ?, ?, ?", []any{Day(d), d.Add(90 * time.Minute), int64(7), true, "x'; DROP"}, SafeLiteral)
	if err != nil {
		t.Fatal(err)
	}
	if want := "SELECT DATE '2026-11-21', TIMESTAMP '2026-11-21 01:30:00+00', 7, TRUE, ?"; sql != want {
		t.Errorf("got  %s\nwant %s", sql, want)
	}
	if len(kept) != 1 || kept[0] != "x'; DROP" {
		t.Errorf("kept parameters %v, want only the string", kept)
	}
	v, err := Day(d).Value()
	if err != nil || v != d {
		t.Errorf("Day binds as %v (%v), want %v", v, err, d)
	}
}
