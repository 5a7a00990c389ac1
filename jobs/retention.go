package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/internal/engine"
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
// notifications, quarantine and runs are not touched. Export tables come
// from the config and from the output (an export since removed from the
// config still ages out).
func retentionRules(ctx context.Context, eng engine.Output, cfg *config.Config) ([]retentionRule, error) {
	p := cfg.Policy
	snap := func(t string) retentionRule {
		return retentionRule{t, "snapshot_retention_days", p.SnapshotRetentionDays}
	}
	exp := func(t string) retentionRule { return retentionRule{t, "export_retention_days", p.ExportRetentionDays} }
	rules := map[string]retentionRule{"customers_flagged": snap("customers_flagged"), "optout_state": snap("optout_state"), "export_report": exp("export_report")}
	for _, group := range []string{"exports", "suppression"} {
		for _, e := range cfg.Exports {
			t := group + "/" + e.Name
			rules[t] = exp(t)
		}
		tables, err := eng.Tables(ctx, group)
		if err != nil {
			return nil, err
		}
		for _, t := range tables {
			rules[t] = exp(t)
		}
	}
	out := make([]retentionRule, 0, len(rules))
	for _, r := range rules {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].table < out[j].table })
	return out, nil
}

// expired is what retention removes from one table: its dates before olderThan.
type expired struct {
	retentionRule
	olderThan string
	dates     []string
}

// expiredPartitions lists, per table, the dates that retention as of date
// d removes: those more than the table's retention days before d, among
// its dates in the output and the dates in writing (a backfill's, before
// it writes them).
func expiredPartitions(ctx context.Context, eng engine.Output, cfg *config.Config, d time.Time, writing []string) ([]expired, error) {
	rules, err := retentionRules(ctx, eng, cfg)
	if err != nil {
		return nil, err
	}
	var out []expired
	for _, rule := range rules {
		cutoff := d.AddDate(0, 0, -rule.days).Format(time.DateOnly)
		dates := map[string]bool{}
		have, err := eng.Partitions(ctx, rule.table)
		if err != nil {
			return nil, err
		}
		for _, dt := range append(have, writing...) {
			if dt < cutoff {
				dates[dt] = true
			}
		}
		if len(dates) > 0 {
			out = append(out, expired{rule, cutoff, sortedKeys(dates)})
		}
	}
	return out, nil
}

// applyRetention removes, after a successful run, the per-date partitions
// older than their retention before D (or, for the last date of a
// backfill, before the backfill's last date). Every removal is a WARN:
// it deletes data, and an operator must be able to find when and why.
func (r *run) applyRetention(ctx context.Context) error {
	if r.o.NoRetention {
		return nil
	}
	gone, err := expiredPartitions(ctx, r.eng, r.cfg, r.retentionDate(), nil)
	if err != nil {
		return err
	}
	for _, x := range gone {
		if err := r.eng.DropPartitions(ctx, x.table, x.dates); err != nil {
			return err
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
func warnRetention(ctx context.Context, eng engine.Output, log *slog.Logger, cfg *config.Config, to time.Time, writing []string) error {
	gone, err := expiredPartitions(ctx, eng, cfg, to, writing)
	if err != nil {
		return err
	}
	for _, x := range gone {
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
	return nil
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
