//go:build !no_duckdb

package jobs

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"
)

// Without policy.state_sla_business_days the ledger gives every request
// the default SLA (requests_ledger.sql skips the override joins then).
// Case 60 with its CO override removed: every request has 15 business
// days, and the requests that had 15 with the override keep the deadline,
// status and business days hand-counted in its expected ledger.
func TestLedgerWithoutStateOverridesUsesTheDefaultSLA(t *testing.T) {
	work, cfg := prepareCase(t, "60_ledger_sla")
	cfg.Policy.StateSLABusinessDays = nil
	date, _ := time.Parse(time.DateOnly, "2026-11-21")
	now, _ := time.Parse(time.RFC3339, "2026-11-22T09:00:00Z")
	if _, err := Run(context.Background(), RunOptions{Config: cfg, Date: date, Now: now}); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	q := `SELECT string_agg(l.request_id || ' ' || l.sla_business_days ||
			CASE WHEN e.sla_business_days = 15 AND (l.deadline IS DISTINCT FROM e.deadline
				OR l.sla_status IS DISTINCT FROM e.sla_status OR l.business_days IS DISTINCT FROM e.business_days)
			THEN ' differs from the expected row' ELSE '' END, ', ' ORDER BY l.request_id)
		FROM read_parquet('` + filepath.Join(work, "out", "requests_ledger", "*.parquet") + `') l
		JOIN read_csv('../testdata/cases/60_ledger_sla/expected/requests_ledger.csv', nullstr = 'NULL',
			types = {'deadline': 'TIMESTAMPTZ', 'business_days': 'INTEGER'}) e USING (request_id)`
	var got string
	if err := db.QueryRow(q).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if want := "r1 15, r2 15, r3 15, r4 15, r5 15"; got != want {
		t.Errorf("ledger without state overrides: %q, want %q", got, want)
	}
}
