package transforms

import (
	"strings"
	"testing"
	"time"
)

// TestReportQueriesRender: every dashboard query renders in both dialects
// with one bind value per parameter, and the month before D is the
// previous calendar month whatever D's day (internal/testkit/parity runs
// them on both engines' semantics).
func TestReportQueriesRender(t *testing.T) {
	names, err := ReportQueries()
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < 11 {
		t.Fatalf("report queries %v", names)
	}
	p := ReportParams{Date: time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC), TimeZone: "America/Los_Angeles", Today: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)}
	for _, d := range []Dialect{DuckDB, BigQuery} {
		for _, name := range names {
			s, err := ReportStep(d, "scratch_ds", name, p)
			if err != nil {
				t.Fatalf("%s %s: %v", d, name, err)
			}
			if _, rest, err := InlineParams(s.SQL, s.Args, func(any) (string, bool) { return "", false }); err != nil || len(rest) != len(s.Args) {
				t.Errorf("%s %s: %d bind values for the text's parameters: %v", d, name, len(s.Args), err)
			}
			if d == BigQuery && !strings.Contains(s.SQL, "`scratch_ds`.") {
				t.Errorf("%s: reads no table of the scratch dataset:\n%s", name, s.SQL)
			}
		}
	}
	if got := p.LastMonth().Format(time.DateOnly); got != "2026-02-01" {
		t.Errorf("the month before 2026-03-31 starts %s", got)
	}
}

// TestDaysBetweenKeepsOrder: parameters bind by their place in the text,
// so a dialect function must not swap its arguments (report_open passes a
// date parameter and a time zone parameter).
func TestDaysBetweenKeepsOrder(t *testing.T) {
	for _, d := range []Dialect{DuckDB, BigQuery} {
		s := d.DaysBetween("FIRST", "SECOND")
		if strings.Index(s, "FIRST") > strings.Index(s, "SECOND") {
			t.Errorf("%s: %s", d, s)
		}
	}
}
