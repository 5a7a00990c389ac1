package jobs

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/optout-dev/optout/transforms"
)

// applyRetention removes, after a successful run, the per-date folders
// older than their retention before D (SPEC §6): customers_flagged and
// optout_state after policy.snapshot_retention_days; exports, suppression
// lists and export reports after policy.export_retention_days. The ledger,
// metrics, notifications and runs are not touched.
func (r *run) applyRetention() error {
	p := r.cfg.Policy
	tables := map[string]int{"customers_flagged": p.SnapshotRetentionDays, "optout_state": p.SnapshotRetentionDays, "export_report": p.ExportRetentionDays}
	for _, group := range []string{"exports", "suppression"} {
		entries, _ := os.ReadDir(filepath.Join(r.cfg.Output, group))
		for _, e := range entries {
			if e.IsDir() {
				tables[filepath.Join(group, e.Name())] = p.ExportRetentionDays
			}
		}
	}
	names := make([]string, 0, len(tables))
	for t := range tables {
		names = append(names, t)
	}
	sort.Strings(names)
	for _, table := range names {
		days := tables[table]
		cutoff := r.o.Date.AddDate(0, 0, -days).Format(time.DateOnly)
		dir := filepath.Join(r.cfg.Output, table)
		entries, _ := os.ReadDir(dir)
		removed := 0
		for _, e := range entries {
			d, ok := strings.CutPrefix(e.Name(), "dt=")
			if ok && e.IsDir() && d < cutoff {
				if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
					return err
				}
				removed++
			}
		}
		if removed > 0 {
			r.rec.RetentionRemoved = append(r.rec.RetentionRemoved, transforms.PartitionCount{Table: table, Partitions: int64(removed)})
			r.log.Info("retention removed old partitions", "table", table, "partitions", removed, "older_than", cutoff)
		}
	}
	return nil
}
