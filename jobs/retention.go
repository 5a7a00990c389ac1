package jobs

import (
	"os"
	"path/filepath"
	"strings"
	"time"
)

// applyRetention removes per-date customers_flagged and optout_state folders
// older than policy.snapshot_retention_days before D (SPEC §6).
func (r *run) applyRetention() error {
	cutoff := r.o.Date.AddDate(0, 0, -r.cfg.Policy.SnapshotRetentionDays).Format(time.DateOnly)
	for _, table := range []string{"customers_flagged", "optout_state"} {
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
