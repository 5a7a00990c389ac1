package jobs

import (
	"sort"
	"strings"
	"time"

	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/transforms"
)

// laterOf is the later of two instants.
func laterOf(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// earlierOf is the earlier of two instants.
func earlierOf(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// calendarStart is the first day of the business-day calendar; requests
// received earlier get no deadline (and no SLA status).
var calendarStart = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// runParams are the values every step of the run for date with instant now
// (started: the wall clock at the run's start) depends on: the as-of
// instant, the policy, the calendar window.
func runParams(cfg *config.Config, date, now, started time.Time) transforms.Params {
	p := transforms.Params{
		Date:          date,
		AsOf:          asOf(date, cfg.Location),
		Now:           now.UTC(),
		NotYet:        laterOf(now, started).UTC(),
		Seen:          earlierOf(asOf(date, cfg.Location), now).UTC(),
		ApplyPending:  cfg.Policy.ApplyPending,
		GPCCategories: strings.Join(cfg.Policy.GPCCategories, ","),
		TimeZone:      cfg.Timezone,
		SLADays:       cfg.Policy.SLABusinessDays,
		TargetDays:    cfg.Policy.TargetBusinessDays,
	}
	// The window runs to the end of the second year after D and now: room
	// for any deadline. Ending on a 31 December keeps the calendar the same
	// for every date of a year, so a backfill builds it once.
	last := date
	if local := now.In(cfg.Location); local.After(last) {
		last = time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	}
	p.CalendarFrom, p.CalendarTo = calendarStart, time.Date(last.Year()+2, 12, 31, 0, 0, 0, 0, time.UTC)
	p.BusinessDays = transforms.NewCalendar(cfg.Policy.Holidays).BusinessDays(p.CalendarFrom, p.CalendarTo)
	p.RetentionCutoff = ledgerCutoff(cfg, date, now)
	return p
}

// ledgerCutoff is the instant before which ledger retention removes
// requests, or "" when policy.retention_months is not written: that many
// calendar months before the as-of instant of date, or before now when
// now comes first (a provisional run, while D has not ended), so that no
// request is removed before it is as old as the policy says.
func ledgerCutoff(cfg *config.Config, date, now time.Time) string {
	if !cfg.Policy.RetentionSet {
		return ""
	}
	from := asOf(date, cfg.Location)
	if now.Before(from) {
		from = now.In(cfg.Location)
	}
	return monthsBefore(from, cfg.Policy.RetentionMonths).Format(time.RFC3339)
}

// monthsBefore is t n calendar months earlier, on the same day of the
// month or, when the month then is shorter, on its last day. AddDate
// takes 31 August 2026 less 30 months, "31 February 2024", to 2 March,
// which removed requests younger than the retention.
func monthsBefore(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	hour, minute, sec := t.Clock()
	first := time.Date(y, m-time.Month(n), 1, 0, 0, 0, 0, t.Location())
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(d, last), hour, minute, sec, t.Nanosecond(), t.Location())
}

// stateSLA lists policy.state_sla_business_days in a stable order.
func stateSLA(cfg *config.Config) []transforms.StateSLA {
	var out []transforms.StateSLA
	for s, d := range cfg.Policy.StateSLABusinessDays {
		out = append(out, transforms.StateSLA{State: strings.ToUpper(strings.TrimSpace(s)), Days: d})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].State < out[j].State })
	return out
}
