//go:build bqemulator

package jobs

import (
	"context"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/bigquery"
	"google.golang.org/api/option"

	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/internal/testkit/bqemu"
)

// TestEmulatorBackfill runs `optout backfill` over two dates on the
// emulator, through the same orchestrator as DuckDB: the dates in order,
// each published before the next starts, every output of each date equal
// to a DuckDB backfill's, the same summary and progress, and a second
// backfill resuming (it skips both dates, as succeeded).
func TestEmulatorBackfill(t *testing.T) {
	ctx := context.Background()
	endpoint := bqemu.Start(t)
	from := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(0, 0, 1)
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC) // after both dates ended in Los Angeles
	dates := []string{"2026-11-20", "2026-11-21"}

	duck, err := config.Load("../testdata/demo/optout.yaml")
	if err != nil {
		t.Fatal(err)
	}
	duck.Output = t.TempDir()
	sampleDemo(t, duck)
	// Without the exports: the second date's third_party_notifications
	// statement reads the first date's export history, and the emulator's
	// SQLite cannot parse it ("parser stack overflow", the normalization
	// functions inlined into it). The exports' history across dates is
	// covered by the fake server's job sequence
	// (bigquery_fake_backfill_test.go) and ZetaSQL's evaluator (case 65 in
	// internal/testkit/parity); the demo's exports by TestEmulatorDemo.
	duck.Exports = nil
	defer func(start time.Time) { calendarStart = start }(calendarStart)
	// The calendar from a month before the demo's first request (2026-01-01):
	// the emulator's SQLite joins the ledger to it row by row, and with 27
	// months the second date's ledger statement passed the emulator's
	// five-minute limit on a request (its HTTP WriteTimeout; the client sees
	// EOF) on the project machine of 2026-12-05, with this change's parent
	// and with the session before it alike.
	calendarStart = time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)
	duckSum, err := Backfill(ctx, BackfillOptions{RunOptions: RunOptions{Config: duck, Now: now}, From: from, To: to})
	if err != nil {
		t.Fatalf("duckdb backfill: %v", err)
	}

	client, err := bigquery.NewClient(ctx, bqemu.Project, option.WithEndpoint(endpoint), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	bq := loadDemo(t, client, duck)
	bq.BigQuery = config.BigQuery{Project: bqemu.Project, Dataset: bqemu.Dataset, Location: "US", Endpoint: endpoint}

	var progress []string
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	sum, err := Backfill(ctx, BackfillOptions{RunOptions: RunOptions{Config: bq, Now: now, Log: log}, From: from, To: to,
		OnDate: func(done, total int, date string) { progress = append(progress, date) }})
	if err != nil {
		t.Fatalf("bigquery backfill: %v", err)
	}
	if sum.Status != "succeeded" || !slices.Equal(sum.Done, dates) || len(sum.Skipped) != 0 {
		t.Errorf("summary %+v, want both dates done", sum)
	}
	if sum.StepsExecuted == 0 || sum.StepsExecuted+sum.StepsReused != duckSum.StepsExecuted+duckSum.StepsReused {
		t.Errorf("bigquery ran %d steps and reused %d; duckdb %d and %d: the same steps must run on both",
			sum.StepsExecuted, sum.StepsReused, duckSum.StepsExecuted, duckSum.StepsReused)
	}
	if want := append(slices.Clone(dates), ""); !slices.Equal(progress, want) {
		t.Errorf("progress %q, want %q", progress, want)
	}
	for _, dt := range dates {
		compareOutputs(t, client, duck.Output, dt, 20) // the demo without its exports
	}

	// In order, each published before the next starts: the first date's
	// runs row, written after its publish, ends before the second's starts.
	ends := queryRows(t, client, "SELECT FORMAT_TIMESTAMP('%FT%H:%M:%E6SZ', TIMESTAMP_ADD(started_at, INTERVAL duration_ms MILLISECOND)) AS ts FROM optout.runs WHERE dt = DATE '"+dates[0]+"' AND status = 'succeeded'", false)
	starts := queryRows(t, client, "SELECT FORMAT_TIMESTAMP('%FT%H:%M:%E6SZ', started_at) AS ts FROM optout.runs WHERE dt = DATE '"+dates[1]+"' AND status = 'succeeded'", false)
	if len(ends.rows) != 1 || len(starts.rows) != 1 {
		t.Fatalf("runs rows %v and %v: want one succeeded run of each date", ends.rows, starts.rows)
	}
	if end, start := rowTime(t, ends.rows[0]), rowTime(t, starts.rows[0]); start.Before(end) {
		t.Errorf("%s's run ended at %s, after %s's started at %s", dates[0], end, dates[1], start)
	}
	if m := queryRows(t, client, "SELECT DISTINCT CAST(dt AS STRING) AS d FROM optout.customers_flagged ORDER BY d", false); len(m.rows) != 2 {
		t.Errorf("customers_flagged dates %v, want both backfilled dates", m.rows)
	}

	// Resumable: a second backfill skips the dates that succeeded.
	again, err := Backfill(ctx, BackfillOptions{RunOptions: RunOptions{Config: bq, Now: now}, From: from, To: to})
	if err != nil || !slices.Equal(again.Skipped, dates) || len(again.Done) != 0 {
		t.Errorf("second backfill: %+v, %v; want both dates skipped", again, err)
	}
}

// rowTime reads the UTC time of a "ts=<time>" row of queryRows.
func rowTime(t *testing.T, row string) time.Time {
	t.Helper()
	// The emulator's FORMAT_TIMESTAMP leaves out a trailing literal Z.
	at, err := time.Parse("2006-01-02T15:04:05.999999", strings.TrimSuffix(strings.TrimPrefix(row, "ts="), "Z"))
	if err != nil {
		t.Fatalf("row %q: %v", row, err)
	}
	return at
}
