package jobs

import (
	"os"
	"path/filepath"
	"strings"
	"time"
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
	for table, days := range tables {
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
			r.log.Info("retention removed old partitions", "table", table, "partitions", removed, "older_than", cutoff)
		}
	}
	return nil
}
