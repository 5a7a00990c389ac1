//go:build !no_duckdb

package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/civil"

	"github.com/optout-dev/optout/internal/exit"
)

// Both engines' DATE types give the day; anything else is an error, never
// a guessed day.
func TestHistoryFromDay(t *testing.T) {
	for _, c := range []struct {
		v    any
		want string
	}{
		{time.Date(2026, 11, 19, 0, 0, 0, 0, time.UTC), "2026-11-19"},
		{civil.Date{Year: 2026, Month: 11, Day: 19}, "2026-11-19"},
		{nil, "9999-12-31"},
	} {
		if got, err := historyFromDay(c.v); err != nil || got != c.want {
			t.Errorf("historyFromDay(%#v) = %q, %v; want %q", c.v, got, err, c.want)
		}
	}
	if got, err := historyFromDay("2026-11-19"); err == nil {
		t.Errorf("a string gave %q and no error", got)
	}
}

// An export counts for a request's notifications only when it was
// published before the request was first enforced (docs/decisions.md,
// "Third-party notifications"; the time comes from the export's _SUCCESS
// marker), and that time is the date's first publication, which reruns
// keep. Case 65: the run for 19 Nov first enforces r1 and lists the
// exports of 18 Nov (not its own, published with r1's enforcement); after
// 18 Nov and 19 Nov are run again, later, it lists the same.
func TestNotificationsCountExportsPublishedBeforeEnforcement(t *testing.T) {
	work, cfg := prepareCase(t, "65_third_party_notifications")
	db := openDuck(t)
	notes := func() string {
		t.Helper()
		var got sql.NullString
		q := `SELECT string_agg(request_id || ' ' || export || ' ' || dt, ', ' ORDER BY export)
			FROM read_parquet('` + filepath.Join(work, "out", "third_party_notifications", "dt=2026-11-19", "*.parquet") + `', hive_partitioning = false)`
		if err := db.QueryRow(q).Scan(&got); err != nil {
			t.Fatal(err)
		}
		return got.String
	}
	runAt(t, cfg, "2026-11-18", "2026-11-19T09:00:00Z", nil)
	runAt(t, cfg, "2026-11-19", "2026-11-20T09:00:00Z", nil)
	if got, want := notes(), "r1 aud 2026-11-18, r1 fb 2026-11-18"; got != want {
		t.Fatalf("notifications of 19 Nov: %q, want %q", got, want)
	}
	runAt(t, cfg, "2026-11-18", "2026-11-21T09:00:00Z", nil) // republishes the exports of 18 Nov
	runAt(t, cfg, "2026-11-19", "2026-11-21T10:00:00Z", nil)
	if got, want := notes(), "r1 aud 2026-11-18, r1 fb 2026-11-18"; got != want {
		t.Errorf("after 18 and 19 Nov were run again, the notifications of 19 Nov are %q, want %q as at first", got, want)
	}
	for _, dt := range []string{"2026-11-18", "2026-11-19"} {
		marker, err := os.ReadFile(filepath.Join(work, "out", "exports", "aud", "dt="+dt, "_SUCCESS"))
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"2026-11-18": "2026-11-19T09:00:00Z", "2026-11-19": "2026-11-20T09:00:00Z"}[dt]
		var m struct {
			PublishedAt string `json:"published_at"`
		}
		if err := json.Unmarshal(marker, &m); err != nil {
			t.Fatalf("export aud of %s: _SUCCESS %q: %v", dt, marker, err)
		}
		if got := m.PublishedAt; got != want {
			t.Errorf("export aud of %s: first published at %s, after the rerun %s", dt, want, got)
		}
	}
}

// An export writes every row it did not suppress or quarantine, so a row
// its decisions never saw would go out undecided. Here the export's file
// gains three rows between the decisions and the write (as an upstream job
// appending to it during the run would), rows without an identifier that
// the run would have quarantined: the leak check finds no opted-out key in
// them, but the written file holds more rows than the run decided to keep,
// and the run fails (exit 1) without publishing.
func TestExportFailsWhenItsFileChangesDuringTheRun(t *testing.T) {
	cfg := demoConfig(t)
	export := &cfg.Exports[0]
	changing := filepath.Join(t.TempDir(), "export.parquet")
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	copyRows := func(from, more string) {
		t.Helper()
		tmp := changing + ".tmp"
		q := fmt.Sprintf("COPY (SELECT * FROM read_parquet('%s') %s) TO '%s' (FORMAT parquet)", from, more, tmp)
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, changing); err != nil {
			t.Fatal(err)
		}
	}
	copyRows(export.Path, "")
	export.Path = changing
	if got := strings.Join([]string{export.Identifiers["email"], export.Identifiers["phone"]}, ","); got != "email,phone_number" {
		t.Fatalf("the demo's export %s maps email and phone to %s; the rows added below blank those columns", export.Name, got)
	}
	var appended bool
	date := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	_, err = Run(context.Background(), RunOptions{Config: cfg, Date: date, Now: date.Add(33 * time.Hour),
		OnStep: func(step string, _, _ int) {
			if step == "export__"+export.Name {
				copyRows(changing, fmt.Sprintf("UNION ALL SELECT * REPLACE (NULL AS email, NULL AS phone_number) FROM (FROM read_parquet('%s') LIMIT 3)", changing))
				appended = true
			}
		}})
	if !appended {
		t.Fatalf("the run never reached step export__%s (error %v)", export.Name, err)
	}
	if err == nil || exit.Code(err) != exit.Failed || !strings.Contains(err.Error(), "decided kept") {
		t.Fatalf("the run's error: %v (exit %d); want exit %d: rows written, but other rows decided kept", err, exit.Code(err), exit.Failed)
	}
	if _, serr := os.Stat(filepath.Join(cfg.Output, "exports", export.Name, "dt=2026-11-21")); !os.IsNotExist(serr) {
		t.Errorf("export %s of the failed run is in the output folder (stat: %v)", export.Name, serr)
	}
}

// A past export is read as it was written, not through today's config
// (docs/decisions.md, "An export is read back as it was published"):
// between the runs of 18 and 19 Nov of case 65, aud's email column is
// renamed and its destination changed, fb stops hashing, and a third
// export, gone from the config since, had also sent alice on 18 Nov. The
// run for 19 Nov, which first enforces alice's r1, still lists every
// export of 18 Nov that carried her, each with the destination it went to.
// Before, the renamed column failed every later run with a Binder Error,
// and the unhashed read and the removed export lost their notes with exit 0.
func TestNotificationsReadEachExportAsPublished(t *testing.T) {
	work, cfg := prepareCase(t, "65_third_party_notifications")
	db := openDuck(t)
	gone := cfg.Exports[0]
	gone.Name, gone.Destination = "gone", "linkedin"
	cfg.Exports = append(cfg.Exports, gone)
	runAt(t, cfg, "2026-11-18", "2026-11-19T09:00:00Z", nil)

	renamed := filepath.Join(work, "inputs", "audience_renamed.parquet")
	q := fmt.Sprintf("COPY (SELECT * RENAME (email AS mail) FROM read_parquet('%s')) TO '%s' (FORMAT parquet)", cfg.Exports[0].Path, renamed)
	if _, err := db.Exec(q); err != nil {
		t.Fatal(err)
	}
	cfg.Exports = cfg.Exports[:2]
	aud, fb := &cfg.Exports[0], &cfg.Exports[1]
	aud.Path, aud.Identifiers, aud.Destination = renamed, map[string]string{"email": "mail"}, "generic"
	fb.HashIdentifiers = false
	runAt(t, cfg, "2026-11-19", "2026-11-20T09:00:00Z", nil)

	var got sql.NullString
	q = `SELECT string_agg(request_id || ' ' || export || ' ' || destination || ' ' || dt, ', ' ORDER BY export)
		FROM read_parquet('` + filepath.Join(work, "out", "third_party_notifications", "dt=2026-11-19", "*.parquet") + `', hive_partitioning = false)`
	if err := db.QueryRow(q).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if want := "r1 aud google_ads 2026-11-18, r1 fb meta 2026-11-18, r1 gone linkedin 2026-11-18"; got.String != want {
		t.Errorf("notifications of 19 Nov: %q, want %q", got.String, want)
	}
}
