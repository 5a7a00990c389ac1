//go:build bqemulator

package jobs

import (
	"context"
	"fmt"
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
	client, bq := inPlaceCase(t, "../testdata/cases/28_customer_without_id", func(b *config.BigQuery) { b.ReadCustomersInPlace = true })
	flagged := func() table {
		return queryRows(t, client, "SELECT customer_id, email, ccpa_opt_out FROM optout.customers_flagged ORDER BY customer_id", false)
	}
	published := flagged()

	for _, change := range []struct{ name, sql string }{
		{"re-keyed", "UPDATE inputs.customers SET email = 'bob@example.com' WHERE customer_id = 'C1'"},
		{"added", "INSERT INTO inputs.customers (customer_id, email, phone) VALUES ('C2', 'carol@example.com', NULL)"},
		{"removed", "DELETE FROM inputs.customers WHERE customer_id = 'C2'"},
	} {
		// customers_flagged is the second read.
		err := runChangedBefore(t, client, bq, "customers_flagged", change.sql)
		if exit.Code(err) != exit.Failed || !strings.Contains(err.Error(), "changed while the run read it") {
			t.Errorf("%s between the reads: exit %d, %v; want exit 1, the table changed while the run read it", change.name, exit.Code(err), err)
		}
		if got := flagged(); strings.Join(got.rows, "\n") != strings.Join(published.rows, "\n") {
			t.Errorf("%s: customers_flagged after the failed run:\n%v\nwant the first run's:\n%v", change.name, got.rows, published.rows)
		}
	}
}

// With bigquery.read_exports_in_place an export is read where it is, by
// export_rows (whose keys are decided) and by the export itself, which
// writes a row only when the first read saw a usable row with its keys
// that the run did not suppress. Case 113 (rows that share their keys,
// a suppressed customer, a quarantined row) gives the DuckDB run's
// outputs. A change between the two reads that changes how many rows go
// out fails the run with exit 1 (nothing is published); a row added
// with a suppressed person's keys is not written, and the run passes with
// the first run's export. Each of those runs writes to a dataset of its
// own: a rerun reads the earlier exports for the notifications, which the
// emulator cannot run (docs/decisions.md).
func TestEmulatorExportsChangedBetweenReads(t *testing.T) {
	client, bq := inPlaceCase(t, "../testdata/cases/113_export_rows_with_the_same_keys_decided_alike", func(b *config.BigQuery) { b.ReadExportsInPlace = true })
	exported := func(dataset string) table {
		return queryRows(t, client, "SELECT email, segment FROM "+dataset+".exports__ga WHERE dt = DATE '2026-11-21' ORDER BY segment", false)
	}
	published := exported(bqemu.Dataset)
	if len(published.rows) != 3 {
		t.Fatalf("the export holds %d rows, want case 113's 3: %v", len(published.rows), published.rows)
	}

	// Each change leaves the table changed for the next run's first read.
	for i, change := range []struct{ name, sql string }{
		{"a row added with a suppressed person's keys", "INSERT INTO inputs.ga (email, phone, segment) VALUES ('ALICE@example.com', NULL, 'a3')"},
		{"a row added with a kept person's keys", "INSERT INTO inputs.ga (email, phone, segment) VALUES ('bob@example.com', NULL, 'b3')"},
		{"kept rows removed", "DELETE FROM inputs.ga WHERE segment = 'b3' OR segment = 'c'"},
		{"a kept row re-keyed to keys the run never decided", "UPDATE inputs.ga SET email = 'dave@example.com' WHERE segment = 'b1'"},
	} {
		cfg := *bq
		cfg.BigQuery.Dataset = fmt.Sprintf("changed_%d", i)
		if err := client.Dataset(cfg.BigQuery.Dataset).Create(context.Background(), &bigquery.DatasetMetadata{Location: "US"}); err != nil {
			t.Fatal(err)
		}
		// export__ga is the second read.
		err := runChangedBefore(t, client, &cfg, "export__ga", change.sql)
		suppressed := strings.Contains(change.name, "suppressed")
		if !suppressed {
			if exit.Code(err) != exit.Failed || !strings.Contains(err.Error(), "decided kept") {
				t.Errorf("%s between the reads: exit %d, %v; want exit 1, rows written other than decided kept", change.name, exit.Code(err), err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s between the reads: %v; want the run to pass, the row unwritten", change.name, err)
		} else if got := exported(cfg.BigQuery.Dataset); strings.Join(got.rows, "\n") != strings.Join(published.rows, "\n") {
			t.Errorf("%s: the export:\n%v\nwant the first run's:\n%v", change.name, got.rows, published.rows)
		}
	}
}

// The date and now of the in-place tests' runs.
var (
	inPlaceDate = time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	inPlaceNow  = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
)

// inPlaceCase runs case folder dir for inPlaceDate on DuckDB, then on a
// new emulator with the BigQuery settings set adds, and compares every
// output of the two; it returns the emulator's client (closed when the
// test ends) and the BigQuery run's config, for more runs.
func inPlaceCase(t *testing.T, dir string, set func(*config.BigQuery)) (*bigquery.Client, *config.Config) {
	t.Helper()
	ctx := context.Background()
	endpoint := bqemu.Start(t)
	work := t.TempDir()
	if err := casefolder.Prepare(dir, work); err != nil {
		t.Fatal(err)
	}
	duck, err := config.Load(filepath.Join(work, "optout.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// The emulator evaluates the calendar's days slowly: a short one, as
	// TestEmulatorDemo's.
	start := calendarStart
	t.Cleanup(func() { calendarStart = start })
	calendarStart = inPlaceDate.AddDate(0, -27, 0)
	if _, err := Run(ctx, RunOptions{Config: duck, Date: inPlaceDate, Now: inPlaceNow}); err != nil {
		t.Fatalf("duckdb run: %v", err)
	}
	client, err := bigquery.NewClient(ctx, bqemu.Project, option.WithEndpoint(endpoint), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	bq := loadDemo(t, client, duck)
	bq.BigQuery = config.BigQuery{Project: bqemu.Project, Dataset: bqemu.Dataset, Location: "US", Endpoint: endpoint}
	set(&bq.BigQuery)
	if _, err := Run(ctx, RunOptions{Config: bq, Date: inPlaceDate, Now: inPlaceNow, KeepScratch: true}); err != nil {
		t.Fatalf("bigquery run: %v", err)
	}
	compareOutputs(t, client, duck.Output, inPlaceDate.Format(time.DateOnly), 2)
	return client, bq
}

// runChangedBefore runs cfg for inPlaceDate, running sql on the emulator
// as step starts, as another job's write between the run's reads would
// land, and returns the run's error.
func runChangedBefore(t *testing.T, client *bigquery.Client, cfg *config.Config, step, sql string) error {
	t.Helper()
	ctx := context.Background()
	changed := false
	onStep := func(s string, _, _ int) {
		if s != step || changed {
			return
		}
		changed = true
		if _, err := client.Query(sql).Read(ctx); err != nil {
			t.Errorf("%s: %v", sql, err)
		}
	}
	_, err := Run(ctx, RunOptions{Config: cfg, Date: inPlaceDate, Now: inPlaceNow, KeepScratch: true, OnStep: onStep})
	if !changed {
		t.Fatalf("%s: the run never reached step %s", sql, step)
	}
	return err
}
