//go:build bqemulator

package jobs

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/bigquery"
	"google.golang.org/api/option"

	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/internal/exit"
	"github.com/optout-dev/optout/internal/testkit/bqemu"
	"github.com/optout-dev/optout/internal/testkit/casefolder"
)

// With bigquery.read_customers_in_place the customers are read where they
// are, by customer_rows (whose keys decide the flags; it also keeps the
// quarantined rows) and by customers_flagged. A run whose customers table
// is left alone gives the DuckDB run's customers_flagged and quarantine;
// one whose table another job changes between the two reads fails with
// exit 1 before the publish, whether a row is re-keyed, added or removed,
// and the date keeps the first run's outputs. (A column added between the
// reads: TestInPlaceViewListsTheDescribedColumns; the emulator has no
// ALTER TABLE.)
func TestEmulatorCustomersChangedBetweenReads(t *testing.T) {
	ctx := context.Background()
	endpoint := bqemu.Start(t)
	work := t.TempDir()
	if err := casefolder.Prepare("../testdata/cases/28_customer_without_id", work); err != nil {
		t.Fatal(err)
	}
	duck, err := config.Load(filepath.Join(work, "optout.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	date := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	// The emulator evaluates the calendar's days slowly: a short one, as
	// TestEmulatorDemo's.
	defer func(start time.Time) { calendarStart = start }(calendarStart)
	calendarStart = date.AddDate(0, -27, 0)
	if _, err := Run(ctx, RunOptions{Config: duck, Date: date, Now: now}); err != nil {
		t.Fatalf("duckdb run: %v", err)
	}
	client, err := bigquery.NewClient(ctx, bqemu.Project, option.WithEndpoint(endpoint), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	bq := loadDemo(t, client, duck)
	bq.BigQuery = config.BigQuery{Project: bqemu.Project, Dataset: bqemu.Dataset, Location: "US", Endpoint: endpoint, ReadCustomersInPlace: true}
	if _, err := Run(ctx, RunOptions{Config: bq, Date: date, Now: now, KeepScratch: true}); err != nil {
		t.Fatalf("bigquery run: %v", err)
	}
	compareOutputs(t, client, duck.Output, "2026-11-21", 2)
	flagged := func() table {
		return queryRows(t, client, "SELECT customer_id, email, ccpa_opt_out FROM optout.customers_flagged ORDER BY customer_id", false)
	}
	published := flagged()

	for _, change := range []struct{ name, sql string }{
		{"re-keyed", "UPDATE inputs.customers SET email = 'bob@example.com' WHERE customer_id = 'C1'"},
		{"added", "INSERT INTO inputs.customers (customer_id, email, phone) VALUES ('C2', 'carol@example.com', NULL)"},
		{"removed", "DELETE FROM inputs.customers WHERE customer_id = 'C2'"},
	} {
		// customers_flagged is the second read: the change lands between
		// the two, as another job's write would.
		changed := false
		onStep := func(step string, _, _ int) {
			if step != "customers_flagged" || changed {
				return
			}
			changed = true
			if _, err := client.Query(change.sql).Read(ctx); err != nil {
				t.Errorf("%s: %v", change.name, err)
			}
		}
		_, err := Run(ctx, RunOptions{Config: bq, Date: date, Now: now, KeepScratch: true, OnStep: onStep})
		if !changed {
			t.Fatalf("%s: the run never reached customers_flagged", change.name)
		}
		if exit.Code(err) != exit.Failed || !strings.Contains(err.Error(), "changed while the run read it") {
			t.Errorf("%s between the reads: exit %d, %v; want exit 1, the table changed while the run read it", change.name, exit.Code(err), err)
		}
		if got := flagged(); strings.Join(got.rows, "\n") != strings.Join(published.rows, "\n") {
			t.Errorf("%s: customers_flagged after the failed run:\n%v\nwant the first run's:\n%v", change.name, got.rows, published.rows)
		}
	}
}
