package jobs

import (
	"testing"
	"time"
)

// TestAsOfIsTheFirstInstantOfTheNextDay: D ends where D+1 begins in the
// time zone, also on the days a daylight-saving change skips or repeats
// midnight. time.Date put the end of a Santiago day an hour early, so a
// run an hour before midnight ran as though D had ended.
func TestAsOfIsTheFirstInstantOfTheNextDay(t *testing.T) {
	for _, c := range []struct{ zone, day, want string }{
		{"America/Los_Angeles", "2026-11-21", "2026-11-22T08:00:00Z"},
		{"America/Los_Angeles", "2026-11-01", "2026-11-02T08:00:00Z"}, // the day the clocks went back
		{"America/Santiago", "2026-09-05", "2026-09-06T04:00:00Z"},    // 00:00 is skipped: 23:59:59 -04, then 01:00 -03
		{"America/Havana", "2026-03-07", "2026-03-08T05:00:00Z"},      // likewise
		{"America/Havana", "2026-10-31", "2026-11-01T04:00:00Z"},      // 00:00 comes twice: the first
	} {
		loc, err := time.LoadLocation(c.zone)
		if err != nil {
			t.Fatal(err)
		}
		d, _ := time.Parse(time.DateOnly, c.day)
		end := asOf(d, loc)
		if got := end.UTC().Format(time.RFC3339); got != c.want {
			t.Errorf("%s %s ends at %s, want %s", c.zone, c.day, got, c.want)
		}
		if before := end.Add(-time.Nanosecond).In(loc).Format(time.DateOnly); before != c.day {
			t.Errorf("%s: the instant before the end is on %s, not on %s", c.zone, before, c.day)
		}
	}
}
