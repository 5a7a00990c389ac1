//go:build !no_duckdb

package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// flagChanges lists the feed of date as "customer old->new, ...".
func flagChanges(t *testing.T, db *sql.DB, work, date string) string {
	t.Helper()
	var got string
	q := `SELECT coalesce(string_agg(customer_id || ' ' || old_ccpa_opt_out || '->' || new_ccpa_opt_out, ', ' ORDER BY customer_id), '')
		FROM read_parquet('` + filepath.Join(work, "out", "flag_changes", "dt="+date, "*.parquet") + `')`
	if err := db.QueryRow(q).Scan(&got); err != nil {
		t.Fatal(err)
	}
	return got
}

// A late opt-out, backfilled with --force from its receipt after snapshot
// retention removed the state of the day before, is in that day's feed:
// the state of the day before is read from the feeds. It was compared
// with the earlier run's feed of the same day, so alice (C1) took her new
// flags as her old ones and no feed ever listed her: the CRM never learned
// of her opt-out. Case 109, retention 1 day.
func TestFlagChangesOfALateRequestBackfilled(t *testing.T) {
	work, cfg := prepareCase(t, "109_flag_changes_after_snapshot_retention_read_the_feeds")
	db := openDuck(t)
	log := filepath.Join(work, "inputs", "requests.parquet")
	all := filepath.Join(work, "all.parquet")
	if err := os.Rename(log, all); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`COPY (SELECT * FROM read_parquet('` + all + `') WHERE request_id <> 'r1') TO '` + log + `' (FORMAT parquet)`); err != nil {
		t.Fatal(err)
	}
	for d := 1; d <= 8; d++ {
		runAt(t, cfg, fmt.Sprintf("2026-11-%02d", d), fmt.Sprintf("2026-11-%02dT09:00:00Z", d+1), nil)
	}
	if err := os.Rename(all, log); err != nil { // r1, received on 5 Nov, arrives
		t.Fatal(err)
	}
	from, _ := time.Parse(time.DateOnly, "2026-11-05")
	to, _ := time.Parse(time.DateOnly, "2026-11-08")
	now, _ := time.Parse(time.RFC3339, "2026-11-09T10:00:00Z")
	if _, err := Backfill(context.Background(), BackfillOptions{RunOptions: RunOptions{Config: cfg, Now: now}, From: from, To: to, Force: true}); err != nil {
		t.Fatal(err)
	}
	for d := 5; d <= 8; d++ {
		date, want := fmt.Sprintf("2026-11-%02d", d), ""
		if d == 5 {
			want = "C1 false->true"
		}
		if got := flagChanges(t, db, work, date); got != want {
			t.Errorf("flag_changes of %s: %q, want %q", date, got, want)
		}
	}
}

// A rerun of D compares with the run for the latest earlier date, not with
// an older state a rerun of its own date brought back after snapshot
// retention had removed it: the rerun of 10 Nov gave the feed of its first
// run (empty), not alice as newly opted out against the state of 4 Nov.
func TestFlagChangesIgnoreAStateARerunBroughtBack(t *testing.T) {
	work, cfg := prepareCase(t, "109_flag_changes_after_snapshot_retention_read_the_feeds")
	db := openDuck(t)
	runAt(t, cfg, "2026-11-04", "2026-11-05T09:00:00Z", nil)
	runAt(t, cfg, "2026-11-05", "2026-11-06T09:00:00Z", nil)
	runAt(t, cfg, "2026-11-10", "2026-11-11T09:00:00Z", nil) // removes the states of 4 and 5 Nov
	first := flagChanges(t, db, work, "2026-11-10")
	runAt(t, cfg, "2026-11-04", "2026-11-11T10:00:00Z", nil) // brings the state of 4 Nov back
	if _, err := os.Stat(filepath.Join(work, "out", "optout_state", "dt=2026-11-04")); err != nil {
		t.Fatalf("the rerun of 4 Nov wrote no state (%v): the test needs it back", err)
	}
	runAt(t, cfg, "2026-11-10", "2026-11-11T11:00:00Z", nil)
	if got := flagChanges(t, db, work, "2026-11-10"); got != first {
		t.Errorf("flag_changes of 10 Nov rerun: %q, want its first run's %q", got, first)
	}
}
