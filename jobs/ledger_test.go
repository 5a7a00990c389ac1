//go:build !no_duckdb

package jobs

import (
	"bytes"
	"context"
	"database/sql"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/optout-dev/optout/internal/exit"
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

// Raising policy.retention_months (or unsetting it) does not bring back
// the requests an earlier run's retention removed, as newly enforced: the
// ledger no longer knows when they were first enforced (docs/decisions.md,
// "What ledger retention removed stays removed"). Case 82: rA, first
// enforced by the run of 1 Nov, is removed by the run of 21 Nov (24
// months); the run of 22 Nov with 36 months, then with no retention, must
// not list it, first enforced on 23 Nov.
func TestRaisedRetentionDoesNotBringBackRemovedRequests(t *testing.T) {
	work, cfg := prepareCase(t, "82_ledger_retention_follows_the_newest_date")
	db := openDuck(t)
	ledger := func() string {
		t.Helper()
		var got string
		q := `SELECT string_agg(request_id || ' ' || strftime(first_enforced_at AT TIME ZONE 'UTC', '%Y-%m-%d'), ', ' ORDER BY request_id)
			FROM read_parquet('` + filepath.Join(work, "out", "requests_ledger", "*.parquet") + `')`
		if err := db.QueryRow(q).Scan(&got); err != nil {
			t.Fatal(err)
		}
		return got
	}
	runAt(t, cfg, "2026-11-01", "2026-11-02T12:00:00Z", nil)
	if got, want := ledger(), "rA 2026-11-02, rB 2026-11-02"; got != want {
		t.Fatalf("ledger after 1 Nov: %q, want %q", got, want)
	}
	runAt(t, cfg, "2026-11-21", "2026-11-22T12:00:00Z", nil)
	cfg.Policy.RetentionMonths = 36
	runAt(t, cfg, "2026-11-22", "2026-11-23T12:00:00Z", nil)
	if got, want := ledger(), "rB 2026-11-02"; got != want {
		t.Errorf("ledger after retention was raised to 36 months: %q, want %q", got, want)
	}
	cfg.Policy.RetentionSet, cfg.Policy.RetentionMonths = false, 0
	runAt(t, cfg, "2026-11-23", "2026-11-24T12:00:00Z", nil)
	if got, want := ledger(), "rB 2026-11-02"; got != want {
		t.Errorf("ledger after retention was unset: %q, want %q", got, want)
	}
}

// Ledger retention ends the record of an opt-out, not the opt-out: when
// the request log later drops the rows of an opt-out the ledger removed
// (a log kept as long as the ledger), the run stops (exit 3) as for any
// other enforced opt-out that lost its rows. It ended silently: alice was
// no longer flagged, and flag_changes told the CRM so. Case 82: rA is
// removed by the run of 21 Nov; its row is then deleted from the log.
func TestOptOutRemovedByRetentionStillNeedsItsRows(t *testing.T) {
	work, cfg := prepareCase(t, "82_ledger_retention_follows_the_newest_date")
	runAt(t, cfg, "2026-11-01", "2026-11-02T12:00:00Z", nil)
	runAt(t, cfg, "2026-11-21", "2026-11-22T12:00:00Z", nil)
	db := openDuck(t)
	log := filepath.Join(work, "inputs", "requests.parquet")
	kept := filepath.Join(work, "kept.parquet")
	if _, err := db.Exec(`COPY (SELECT * FROM read_parquet('` + log + `') WHERE request_id <> 'rA') TO '` + kept + `' (FORMAT parquet)`); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(kept, log); err != nil {
		t.Fatal(err)
	}
	d, _ := time.Parse(time.DateOnly, "2026-11-22")
	now, _ := time.Parse(time.RFC3339, "2026-11-23T12:00:00Z")
	_, err := Run(context.Background(), RunOptions{Config: cfg, Date: d, Now: now})
	if err == nil || exit.Code(err) != exit.Input || !strings.Contains(err.Error(), "request_id rA") {
		t.Fatalf("run after the log dropped an opt-out retention removed: %v (exit %d), want exit 3 naming rA", err, exit.Code(err))
	}
	var flagged bool
	q := `SELECT ccpa_opt_out FROM read_parquet('` + filepath.Join(work, "out", "customers_flagged", "dt=2026-11-21", "*.parquet") + `') WHERE customer_id = 'C1'`
	if err := db.QueryRow(q).Scan(&flagged); err != nil || !flagged {
		t.Errorf("alice on 21 Nov: flagged %v (%v), want true", flagged, err)
	}
}

// A request's deadline is the one in force when the ledger first saw it
// (docs/decisions.md, "A deadline, once set, stays"): an audit hid every
// past breach by raising sla_business_days to 60, and moved 633 deadlines
// by changing the holidays or the time zone, with nothing logged. Case 60
// run for 21 Nov, then for 22 Nov with another SLA, state override,
// holidays and time zone: every request keeps its deadline, SLA days and
// business days, and so its sla_status (an open one may become
// open_breached: now moved on).
func TestLedgerKeepsEachRequestsDeadline(t *testing.T) {
	work, cfg := prepareCase(t, "60_ledger_sla")
	db := openDuck(t)
	ledger := func() map[string]string {
		t.Helper()
		rows, err := db.Query(`SELECT request_id, concat_ws(' ', strftime(deadline AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M'), sla_business_days, business_days, CASE WHEN sla_status LIKE 'open%' THEN 'open' ELSE sla_status END)
			FROM read_parquet('` + filepath.Join(work, "out", "requests_ledger", "*.parquet") + `')`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]string{}
		for rows.Next() {
			var id, v string
			if err := rows.Scan(&id, &v); err != nil {
				t.Fatal(err)
			}
			out[id] = v
		}
		return out
	}
	runAt(t, cfg, "2026-11-21", "2026-11-22T09:00:00Z", nil)
	before := ledger()
	if len(before) < 5 {
		t.Fatalf("ledger of case 60: %v", before)
	}
	cfg.Policy.SLABusinessDays, cfg.Policy.StateSLABusinessDays = 60, map[string]int{"CO": 45}
	cfg.Policy.Holidays = append(cfg.Policy.Holidays, "2026-11-02", "2026-11-03")
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Timezone, cfg.Location = "America/New_York", loc
	runAt(t, cfg, "2026-11-22", "2026-11-23T09:00:00Z", nil)
	after := ledger()
	for id, was := range before {
		if now := after[id]; now != was {
			t.Errorf("request %s: %q before the SLA settings changed, %q after", id, was, now)
		}
	}
}

// An enforced opt-out that covers less than before is logged as a
// warning: taking identity_links out of the demo's config unflagged the
// customers its GPC opt-outs reached through a cookie, and narrowing
// policy.gpc_categories narrowed the opt-outs already enforced, each with
// exit 0 and no word (an audit). Not an error: a customer deleted on
// request leaves its opt-out reaching nobody too.
func TestNarrowedOptOutsAreLogged(t *testing.T) {
	cfg := demoConfig(t)
	var logs bytes.Buffer
	night := func(date, now string) {
		t.Helper()
		logs.Reset()
		runAt(t, cfg, date, now, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn})))
	}
	const warning = "enforced opt-out requests no longer reach a customer"
	night("2026-11-20", "2026-11-21T09:00:00Z")
	if strings.Contains(logs.String(), warning) {
		t.Fatalf("the first run warned:\n%s", logs.String())
	}
	links := cfg.Inputs.IdentityLinks
	cfg.Inputs.IdentityLinks = nil
	night("2026-11-21", "2026-11-22T09:00:00Z")
	if !strings.Contains(logs.String(), warning) || !regexp.MustCompile(`requests=[1-9]`).MatchString(logs.String()) {
		t.Errorf("identity_links taken out: no warning naming the requests that no longer reach a customer:\n%s", logs.String())
	}
	cfg.Inputs.IdentityLinks = links
	night("2026-11-21", "2026-11-22T10:00:00Z")
	if strings.Contains(logs.String(), "enforced opt-out requests") {
		t.Errorf("identity_links back: a warning all the same:\n%s", logs.String())
	}
	// GPC signals read as advertising only, not all: the opt-outs they
	// made cover fewer categories.
	cfg.Policy.GPCCategories = []string{"advertising"}
	night("2026-11-21", "2026-11-22T11:00:00Z")
	if !regexp.MustCompile(`cover fewer categories.*requests=[1-9]`).MatchString(logs.String()) {
		t.Errorf("gpc_categories narrowed: no warning naming the requests that cover fewer categories:\n%s", logs.String())
	}
}

// A run of an earlier date after a later one keeps a request's deadline
// although its view of the request's receipt is from before a correction:
// the row follows the later date. Case 93: r1's deadline, made with 15
// business days from its corrected receipt, was breached; the run of 6 Oct
// after policy.sla_business_days became 60 made a deadline again from the
// old receipt with 60 days, and the ledger said met.
func TestRerunKeepsTheDeadlineWithNewSettings(t *testing.T) {
	work, cfg := prepareCase(t, "93_rerun_keeps_a_corrected_requests_deadline")
	run := func(date, now string) {
		t.Helper()
		d, _ := time.Parse(time.DateOnly, date)
		n, _ := time.Parse(time.RFC3339, now)
		if _, err := Run(context.Background(), RunOptions{Config: cfg, Date: d, Now: n}); err != nil {
			t.Fatal(err)
		}
	}
	ledger := func() string {
		t.Helper()
		var got string
		q := `SELECT strftime(deadline, '%Y-%m-%dT%H:%M') || ' ' || sla_status || ' ' || sla_business_days || ' ' || business_days
			FROM read_parquet('` + filepath.Join(work, "out", "requests_ledger", "*.parquet") + `') WHERE request_id = 'r1'`
		if err := openDuck(t).QueryRow(q).Scan(&got); err != nil {
			t.Fatal(err)
		}
		return got
	}
	run("2026-11-02", "2026-11-03T10:00:00Z")
	const want = "2026-10-29T06:59 breached 15 19" // the end of 28 Oct in Los Angeles
	if got := ledger(); got != want {
		t.Fatalf("after the run of 2 Nov: r1 %q, want %q", got, want)
	}
	cfg.Policy.SLABusinessDays = 60
	run("2026-10-06", "2026-11-04T11:00:00Z")
	if got := ledger(); got != want {
		t.Errorf("after the run of 6 Oct with 60 SLA days: r1 %q, want %q (kept)", got, want)
	}
}
