package jobs

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/transforms"
)

// retentionRule is one per-date table retention applies to (SPEC §6), and
// the policy key that says how many days of it to keep.
type retentionRule struct {
	table, key string
	days       int
}

// retentionRules lists the per-date tables under the output that retention
// prunes: customers_flagged and optout_state after
// policy.snapshot_retention_days; exports, suppression lists and export
// reports after policy.export_retention_days. The ledger, metrics,
// notifications, quarantine and runs are not touched. Export folders come
// from the config and from the disk (an export since removed from the
// config still ages out).
func retentionRules(cfg *config.Config) []retentionRule {
	p := cfg.Policy
	snap := func(t string) retentionRule {
		return retentionRule{t, "snapshot_retention_days", p.SnapshotRetentionDays}
	}
	exp := func(t string) retentionRule { return retentionRule{t, "export_retention_days", p.ExportRetentionDays} }
	rules := map[string]retentionRule{"customers_flagged": snap("customers_flagged"), "optout_state": snap("optout_state"), "export_report": exp("export_report")}
	for _, group := range []string{"exports", "suppression"} {
		for _, e := range cfg.Exports {
			t := filepath.Join(group, e.Name)
			rules[t] = exp(t)
		}
		entries, _ := os.ReadDir(filepath.Join(cfg.Output, group))
		for _, e := range entries {
			if t := filepath.Join(group, e.Name()); e.IsDir() {
				rules[t] = exp(t)
			}
		}
	}
	out := make([]retentionRule, 0, len(rules))
	for _, r := range rules {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].table < out[j].table })
	return out
}

// expired is what retention removes from one table: its dates before olderThan.
type expired struct {
	retentionRule
	olderThan string
	dates     []string
}

// expiredPartitions lists, per table, the dates that retention as of date
// d removes: those more than the table's retention days before d, among
// its folders on disk and the dates in writing (a backfill's, before it
// writes them).
func expiredPartitions(cfg *config.Config, d time.Time, writing []string) []expired {
	var out []expired
	for _, rule := range retentionRules(cfg) {
		cutoff := d.AddDate(0, 0, -rule.days).Format(time.DateOnly)
		dates := map[string]bool{}
		entries, _ := os.ReadDir(filepath.Join(cfg.Output, rule.table))
		for _, e := range entries {
			if dt, ok := strings.CutPrefix(e.Name(), "dt="); ok && e.IsDir() && dt < cutoff {
				dates[dt] = true
			}
		}
		for _, dt := range writing {
			if dt < cutoff {
				dates[dt] = true
			}
		}
		if len(dates) > 0 {
			out = append(out, expired{rule, cutoff, sortedKeys(dates)})
		}
	}
	return out
}

// applyRetention removes, after a successful run, the per-date folders
// older than their retention before D (or, for the last date of a
// backfill, before the backfill's last date). Every removal is a WARN:
// it deletes data, and an operator must be able to find when and why.
func (r *run) applyRetention() error {
	if r.o.NoRetention {
		return nil
	}
	for _, x := range expiredPartitions(r.cfg, r.retentionDate(), nil) {
		for _, dt := range x.dates {
			if err := os.RemoveAll(filepath.Join(r.cfg.Output, x.table, "dt="+dt)); err != nil {
				return err
			}
		}
		r.recordRetention(x.table, int64(len(x.dates)), x.olderThan, x.dates)
	}
	return nil
}

// retentionDate is the date retention counts back from.
func (r *run) retentionDate() time.Time {
	if !r.o.retentionAsOf.IsZero() {
		return r.o.retentionAsOf
	}
	return r.o.Date
}

// recordRetention notes in the runs row and logs that retention removed
// n partitions of table (dates, when known).
func (r *run) recordRetention(table string, n int64, olderThan string, dates []string) {
	r.rec.RetentionRemoved = append(r.rec.RetentionRemoved, transforms.PartitionCount{Table: table, Partitions: n})
	args := []any{"table", table, "partitions", n, "older_than", olderThan}
	if len(dates) > 0 {
		args = append(args, "dates", dateRanges(dates))
	}
	r.log.Warn("retention removed old partitions", args...)
}

// warnRetention says, before a backfill writes anything, which dates of
// which tables retention will remove when it ends (as of its last date
// to), the dates it is about to write among them.
func warnRetention(log *slog.Logger, cfg *config.Config, to time.Time, writing []string) {
	for _, x := range expiredPartitions(cfg, to, writing) {
		var own []string
		for _, dt := range writing {
			if dt < x.olderThan {
				own = append(own, dt)
			}
		}
		args := []any{"table", x.table, "dates", dateRanges(x.dates), "older_than", x.olderThan, "policy", fmt.Sprintf("%s: %d", x.key, x.days)}
		if len(own) > 0 {
			args = append(args, "written_by_this_backfill", dateRanges(own))
		}
		log.Warn("retention will remove these partitions when the backfill ends", args...)
	}
}

// dateRanges writes sorted dates YYYY-MM-DD compactly, consecutive days as
// a range: "2026-11-01..2026-11-03, 2026-11-07".
func dateRanges(dates []string) string {
	var parts []string
	for i := 0; i < len(dates); {
		j := i
		for j+1 < len(dates) && nextDay(dates[j]) == dates[j+1] {
			j++
		}
		if j == i {
			parts = append(parts, dates[i])
		} else {
			parts = append(parts, dates[i]+".."+dates[j])
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}

func nextDay(dt string) string {
	d, err := time.Parse(time.DateOnly, dt)
	if err != nil {
		return ""
	}
	return d.AddDate(0, 0, 1).Format(time.DateOnly)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
