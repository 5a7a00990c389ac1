package files

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/internal/exit"
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

// A publish whose renames would cross file systems (here exports/ is a
// link to a tmpfs, as to a shared mount for uploaders) fails before its
// commit, leaving the published outputs as they were. It committed, then
// failed at the first rename with EXDEV: the date stayed half published,
// and every later command failed to finish it.
func TestPublishAcrossFileSystemsFailsBeforeTheCommit(t *testing.T) {
	output := t.TempDir()
	other, err := os.MkdirTemp("/dev/shm", "optout-test-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(other)
	var a, b syscall.Stat_t
	if syscall.Stat(output, &a) != nil || syscall.Stat(other, &b) != nil || a.Dev == b.Dev {
		t.Fatalf("%s and %s must be two file systems for this test", output, other)
	}
	earlier := filepath.Join(other, "ads", "dt=2026-11-21", "part-0.csv")
	if err := os.MkdirAll(filepath.Dir(earlier), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(earlier, []byte("earlier run"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(other, filepath.Join(output, "exports")); err != nil {
		t.Fatal(err)
	}
	s, err := newStage(output, "r1", "2026-11-21", time.Now(), config.FileMode{FileMode: 0o600}, func(string) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{"customers_flagged/dt=2026-11-21", "exports/ads/dt=2026-11-21"} {
		dir, err := s.Folder(rel)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "part-0.csv"), []byte("this run"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	err = s.Publish()
	if exit.Code(err) != exit.Usage || !strings.Contains(err.Error(), "another file system") {
		t.Fatalf("publish: exit %d, %v; want exit 2 naming the other file system", exit.Code(err), err)
	}
	if s.committed {
		t.Error("the publish committed")
	}
	if _, err := os.Stat(filepath.Join(output, "customers_flagged", "dt=2026-11-21")); !os.IsNotExist(err) {
		t.Errorf("customers_flagged was published: %v", err)
	}
	if b, err := os.ReadFile(earlier); err != nil || string(b) != "earlier run" {
		t.Errorf("the earlier run's export: %q, %v", b, err)
	}
}
