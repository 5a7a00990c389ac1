package transforms

import (
	"strings"
	"sync"
	"time"

	"github.com/rickar/cal/v2/us"
)

// Calendar decides which days are business days (SPEC §8): Monday to Friday
// minus the US federal holidays on their observed dates and the company's
// own holidays. Days are civil dates in the configured time zone; a Calendar
// is built once in Go and handed to the engines as a table, so every engine
// counts business days exactly this way.
type Calendar struct {
	extra map[string]bool // policy.holidays, "YYYY-MM-DD"
}

// NewCalendar returns the calendar with the company holidays (YYYY-MM-DD).
func NewCalendar(holidays []string) Calendar {
	c := Calendar{extra: map[string]bool{}}
	for _, h := range holidays {
		c.extra[h] = true
	}
	return c
}

// federalHoliday reports whether civil date d is a US federal holiday as
// observed (a Saturday holiday is observed on Friday, a Sunday one on Monday).
func federalHoliday(d time.Time) bool {
	return observedIn(d.Year())[d.Format(time.DateOnly)]
}

// observed caches observedIn by year: every run lists the business days
// of several years, and computing each holiday per day showed in profiles.
var observed sync.Map // int → map[string]bool

// observedIn returns the federal holidays observed in calendar year y
// ("YYYY-MM-DD"). New Year's Day on a Saturday is observed on 31 December
// of the year before, so the neighbouring years' holidays are looked at too.
func observedIn(y int) map[string]bool {
	if m, ok := observed.Load(y); ok {
		return m.(map[string]bool)
	}
	days := map[string]bool{}
	for _, h := range us.Holidays {
		for _, hy := range []int{y - 1, y, y + 1} {
			if _, obs := h.Calc(hy); !obs.IsZero() && obs.Year() == y {
				days[obs.Format(time.DateOnly)] = true
			}
		}
	}
	observed.Store(y, days)
	return days
}

// IsBusinessDay reports whether civil date d (its year, month, day) is a
// business day.
func (c Calendar) IsBusinessDay(d time.Time) bool {
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	return !c.extra[d.Format(time.DateOnly)] && !federalHoliday(d)
}

// NthBusinessDayAfter returns the n-th business day after civil date d (n ≥ 1).
func (c Calendar) NthBusinessDayAfter(d time.Time, n int) time.Time {
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if c.IsBusinessDay(d) {
			n--
		}
	}
	return d
}

// BusinessDays lists the business days from..to (inclusive, civil dates) as
// comma-separated YYYY-MM-DD: the calendar table's content, one bind value.
func (c Calendar) BusinessDays(from, to time.Time) string {
	var b strings.Builder
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		if c.IsBusinessDay(d) {
			if b.Len() > 0 {
				b.WriteByte(',')
			}
			b.WriteString(d.Format(time.DateOnly))
		}
	}
	return b.String()
}
