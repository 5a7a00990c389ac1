package jobs

import (
	"testing"
	"time"

	"github.com/optout-dev/optout/internal/config"
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

// TestLedgerCutoffNeverRemovesYoungerRequests: the cutoff is
// retention_months calendar months before the end of D, on the last day
// of a shorter month, and never after the run's now. Go's AddDate took
// 31 August less 30 months to 2 March, and a provisional run counted
// back from the end of a day that had not ended: each removed requests
// younger than the retention.
func TestLedgerCutoffNeverRemovesYoungerRequests(t *testing.T) {
	loc, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	cfg := &config.Config{Location: loc}
	cfg.Policy.RetentionSet = true
	for _, c := range []struct {
		months    int
		date, now string
		want      string
	}{
		{24, "2026-11-21", "2026-11-22T09:00:00Z", "2024-11-22T00:00:00-08:00"},
		{30, "2026-08-30", "2026-08-31T10:00:00Z", "2024-02-29T00:00:00-08:00"}, // not 2 March
		{24, "2028-02-28", "2028-02-29T09:00:00Z", "2026-02-28T00:00:00-08:00"}, // D ends on 29 February
		{25, "2026-03-30", "2026-03-31T09:00:00Z", "2024-02-29T00:00:00-08:00"},
		{24, "2026-12-06", "2026-12-06T20:00:00Z", "2024-12-06T12:00:00-08:00"}, // provisional: from now
	} {
		cfg.Policy.RetentionMonths = c.months
		d, _ := time.Parse(time.DateOnly, c.date)
		now, _ := time.Parse(time.RFC3339, c.now)
		if got := ledgerCutoff(cfg, d, now); got != c.want {
			t.Errorf("%d months, D %s, now %s: cutoff %s, want %s", c.months, c.date, c.now, got, c.want)
		}
	}
	cfg.Policy.RetentionSet = false
	if got := ledgerCutoff(cfg, time.Now(), time.Now()); got != "" {
		t.Errorf("retention_months not written: cutoff %q, want none", got)
	}
}
