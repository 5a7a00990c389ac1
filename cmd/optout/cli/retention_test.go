package cli

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// A backfill over more days than snapshot_retention_days says before its
// first date which partitions retention will remove, its own among them;
// removes them once, at its end, as a run of its last date would (each
// removal a WARN); and records them in the runs row of the last date it
// ran, not spread over its dates.
func TestBackfillAppliesRetentionOnceAtItsEnd(t *testing.T) {
	cfg, out := demoConfig(t, func(s string) string {
		s = strings.Replace(s, ", freshness: 48h", "", 1)
		return strings.Replace(s, "policy:\n", "policy:\n  snapshot_retention_days: 2\n  export_retention_days: 3\n", 1)
	})
	now := "--now=2026-11-22T09:00:00Z"
	// An old date already in the output: retention removes it too.
	if code, _, se := run(t, "run", "--config", cfg, "--date", "2026-11-15", now); code != 0 {
		t.Fatalf("run 2026-11-15: exit %d\n%s", code, se)
	}
	code, so, se := run(t, "backfill", "--config", cfg, "--from", "2026-11-17", "--to", "2026-11-21", now)
	if code != 0 || !strings.Contains(so, `"done":["2026-11-17","2026-11-18","2026-11-19","2026-11-20","2026-11-21"]`) {
		t.Fatalf("backfill: exit %d\n%s\n%s", code, so, se)
	}

	// Before the first date: what goes, per table. Snapshots are kept 2
	// days before 2026-11-21, exports 3.
	first := strings.Index(se, " dt=2026-11-17")
	if first < 0 {
		t.Fatalf("no log line of the first date:\n%s", se)
	}
	before := se[:first]
	for table, want := range map[string]string{
		"customers_flagged":     `dates="2026-11-15, 2026-11-17..2026-11-18" older_than=2026-11-19 policy="snapshot_retention_days: 2" written_by_this_backfill=2026-11-17..2026-11-18`,
		"optout_state":          `dates="2026-11-15, 2026-11-17..2026-11-18" older_than=2026-11-19 policy="snapshot_retention_days: 2" written_by_this_backfill=2026-11-17..2026-11-18`,
		"exports/meta_audience": `dates="2026-11-15, 2026-11-17" older_than=2026-11-18 policy="export_retention_days: 3" written_by_this_backfill=2026-11-17`,
		"export_report":         `dates="2026-11-15, 2026-11-17" older_than=2026-11-18 policy="export_retention_days: 3" written_by_this_backfill=2026-11-17`,
	} {
		line := `level=WARN msg="retention will remove these partitions when the backfill ends" table=` + table + " " + want
		if !strings.Contains(before, line) {
			t.Errorf("before the first date, no warning\n  %s\nin\n%s", line, before)
		}
	}

	// Removed once, after the last date's publish, each removal a WARN.
	lines := strings.Split(se, "\n")
	lineOf := func(parts ...string) int {
		for i, l := range lines {
			if containsAll(l, parts...) {
				return i
			}
		}
		return -1
	}
	published := lineOf("msg=published", "dt=2026-11-21")
	for table, want := range map[string]string{
		"customers_flagged":               `partitions=3 older_than=2026-11-19 dates="2026-11-15, 2026-11-17..2026-11-18"`,
		"optout_state":                    `partitions=3 older_than=2026-11-19 dates="2026-11-15, 2026-11-17..2026-11-18"`,
		"suppression/google_ads_audience": `partitions=2 older_than=2026-11-18 dates="2026-11-15, 2026-11-17"`,
	} {
		if i := lineOf(`level=WARN msg="retention removed old partitions"`, "dt=2026-11-21", "table="+table+" "+want); i < 0 || i < published {
			t.Errorf("no WARN after the last date's publish (line %d): table=%s %s\n%s", published, table, want, se)
		}
	}
	if n := strings.Count(se, `msg="retention removed old partitions"`); n != 9 { // 2 snapshots, 3 exports × 2, export_report
		t.Errorf("%d retention removals logged, want 9 (one per table, once)\n%s", n, se)
	}
	if strings.Contains(se, `level=INFO msg="retention`) {
		t.Errorf("a retention line at INFO:\n%s", se)
	}

	// The runs rows: only the last date's records the removals.
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	removedByDate := func() map[string]string {
		rows, err := db.Query(fmt.Sprintf(`SELECT strftime(dt, '%%Y-%%m-%%d'), string_agg(r."table" || ' ' || r.partitions, ', ' ORDER BY r."table")
			FROM (SELECT dt, unnest(retention_removed) AS r FROM read_parquet('%s/runs/*.parquet')) GROUP BY dt`, out))
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		got := map[string]string{}
		for rows.Next() {
			var dt, removed string
			if err := rows.Scan(&dt, &removed); err != nil {
				t.Fatal(err)
			}
			got[dt] = removed
		}
		return got
	}
	want := "customers_flagged 3, export_report 2, exports/google_ads_audience 2, exports/meta_audience 2, exports/partner_list_rental 2, optout_state 3, " +
		"suppression/google_ads_audience 2, suppression/meta_audience 2, suppression/partner_list_rental 2"
	if got := removedByDate(); len(got) != 1 || got["2026-11-21"] != want {
		t.Errorf("runs rows record the removals %v, want them once, in the row of 2026-11-21: %s", got, want)
	}

	// Exactly what a run of the last date leaves: a rerun removes nothing.
	kept := retainedPartitions(t, out)
	if kept["customers_flagged"] != "2026-11-19 2026-11-20 2026-11-21" || kept["exports/meta_audience"] != "2026-11-18 2026-11-19 2026-11-20 2026-11-21" {
		t.Errorf("after the backfill: %v", kept)
	}
	if code, _, se := run(t, "run", "--config", cfg, "--date", "2026-11-21", now); code != 0 || strings.Contains(se, "retention removed") {
		t.Errorf("a run of the last date after the backfill: exit %d, removed more:\n%s", code, se)
	}
	if after := retainedPartitions(t, out); fmt.Sprint(after) != fmt.Sprint(kept) {
		t.Errorf("a run of the last date changed the partitions kept:\n%v\nwant\n%v", after, kept)
	}

	// Its last date already run: the last date that runs (2026-11-16)
	// applies retention as of 2026-11-21, removing what it just wrote.
	code, so, se = run(t, "backfill", "--config", cfg, "--from", "2026-11-16", "--to", "2026-11-21", now)
	if code != 0 || !strings.Contains(so, `"done":["2026-11-16"]`) {
		t.Fatalf("second backfill: exit %d\n%s\n%s", code, so, se)
	}
	if !strings.Contains(se, `msg="retention will remove these partitions when the backfill ends" table=customers_flagged dates=2026-11-16 older_than=2026-11-19 policy="snapshot_retention_days: 2" written_by_this_backfill=2026-11-16`) {
		t.Errorf("second backfill: no warning for 2026-11-16\n%s", se)
	}
	if after := retainedPartitions(t, out); fmt.Sprint(after) != fmt.Sprint(kept) {
		t.Errorf("after the second backfill:\n%v\nwant\n%v", after, kept)
	}
	want = strings.ReplaceAll(strings.ReplaceAll(want, " 3", " 1"), " 2", " 1")
	if got := removedByDate()["2026-11-16"]; got != want {
		t.Errorf("the runs row of 2026-11-16 records %q, want %q", got, want)
	}
}

// retainedPartitions lists the dates of every table retention prunes.
func retainedPartitions(t *testing.T, out string) map[string]string {
	t.Helper()
	tables := []string{"customers_flagged", "optout_state", "export_report"}
	for _, group := range []string{"exports", "suppression"} {
		dirs, _ := filepath.Glob(filepath.Join(out, group, "*"))
		for _, d := range dirs {
			tables = append(tables, filepath.Join(group, filepath.Base(d)))
		}
	}
	got := map[string]string{}
	for _, table := range tables {
		entries, err := os.ReadDir(filepath.Join(out, table))
		if err != nil {
			t.Fatal(err)
		}
		var dates []string
		for _, e := range entries {
			dates = append(dates, strings.TrimPrefix(e.Name(), "dt="))
		}
		sort.Strings(dates)
		got[table] = strings.Join(dates, " ")
	}
	return got
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
