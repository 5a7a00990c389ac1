package files

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// Only dt=YYYY-MM-DD folders are dates of a table: retention removes the
// dates before its cutoff and flag_changes compares with the latest
// earlier one, so a kept copy or a stray folder must be neither.
func TestPartitionsAreDates(t *testing.T) {
	o := &Output{Dir: t.TempDir()}
	table := filepath.Join(o.Dir, "optout_state")
	for _, d := range []string{"dt=2026-11-01", "dt=2026-11-21", "dt=2026-11-21.bak", "dt=", "dt=garbage", "dt=2026-13-01", "dt=2026-1-05", "notes"} {
		if err := os.MkdirAll(filepath.Join(table, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(table, "dt=2026-11-02"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if got, want := o.Partitions("optout_state"), []string{"2026-11-01", "2026-11-21"}; !slices.Equal(got, want) {
		t.Errorf("Partitions = %q, want %q", got, want)
	}
}
