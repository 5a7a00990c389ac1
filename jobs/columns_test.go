package jobs

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/optout-dev/optout/internal/exit"
)

// An input that has lost, in every file, a contracted column the latest
// published run read from it fails the run (exit 3) until a run accepts
// the loss: with the web form log's status renamed, every request read as
// pending, and a rejected opt-in counted (a probe's leak, exit 0). A
// column no contract names (the customers' lifetime_value) may go, so may
// one the config no longer maps (the list rental's crm_id), and a failed
// run is no baseline for the next.
func TestInputThatLostAColumnFails(t *testing.T) {
	cfg := demoConfig(t)
	runAt(t, cfg, "2026-11-20", "2026-11-21T09:00:00Z", nil)

	dir := t.TempDir()
	webForm, customers, rental := filepath.Join(dir, "web_form.parquet"), filepath.Join(dir, "customers.parquet"), filepath.Join(dir, "rental.parquet")
	noTraffic := filepath.Join(dir, "customers_no_traffic.parquet")
	db := openDuck(t)
	for _, q := range []string{
		"COPY (SELECT * EXCLUDE (status), status AS request_status FROM read_parquet('" + cfg.Inputs.Requests[0].Path + "', hive_partitioning = false)) TO '" + webForm + "' (FORMAT parquet)",
		"COPY (SELECT * EXCLUDE (lifetime_value) FROM read_parquet('" + filepath.Join(cfg.Inputs.Customers.Path, "*.parquet") + "')) TO '" + customers + "' (FORMAT parquet)",
		"COPY (SELECT * EXCLUDE (crm_id) FROM read_parquet('" + cfg.Exports[2].Path + "')) TO '" + rental + "' (FORMAT parquet)",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	cfg.Inputs.Requests[0].Path, cfg.Inputs.Customers.Path = webForm, customers

	var logs bytes.Buffer
	runOn := func(day int, now string, accept bool) error {
		n, err := time.Parse(time.RFC3339, now)
		if err != nil {
			t.Fatal(err)
		}
		logs.Reset()
		_, err = Run(context.Background(), RunOptions{Config: cfg, Date: time.Date(2026, 11, day, 0, 0, 0, 0, time.UTC), Now: n,
			AcceptDroppedColumns: accept, Log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))})
		return err
	}
	night := func(now string, accept bool) error { return runOn(21, now, accept) }
	published := func() bool {
		_, err := os.Stat(filepath.Join(cfg.Output, "complete", "dt=2026-11-21", "_SUCCESS"))
		return err == nil
	}
	for _, now := range []string{"2026-11-22T09:00:00Z", "2026-11-22T10:00:00Z"} { // the first failure is no baseline
		err := night(now, false)
		if exit.Code(err) != exit.Input || err == nil || !strings.Contains(err.Error(), "input web_form: column status is in none of its files") ||
			!strings.Contains(err.Error(), "every column gone: web_form.status)") || !strings.Contains(err.Error(), "--accept-dropped-columns") {
			t.Fatalf("status renamed, at %s: exit %d, %v; want exit 3 naming web_form's status alone and the flag", now, exit.Code(err), err)
		}
		if published() {
			t.Fatalf("status renamed, at %s: 2026-11-21 was published", now)
		}
	}
	if err := night("2026-11-22T11:00:00Z", true); err != nil {
		t.Fatalf("with the loss accepted: %v", err)
	}
	if !strings.Contains(logs.String(), "--accept-dropped-columns") || !strings.Contains(logs.String(), "web_form.status") {
		t.Errorf("with the loss accepted: no warning naming web_form.status:\n%s", logs.String())
	}
	if !published() {
		t.Fatal("with the loss accepted: 2026-11-21 not published")
	}
	if cfg.Exports[2].Name != "partner_list_rental" {
		t.Fatalf("export 2 is %s", cfg.Exports[2].Name)
	}
	cfg.Exports[2].Path, cfg.Exports[2].Identifiers = rental, map[string]string{"email": "contact_email"}
	cfg.Policy.MaxQuarantineRatio = 1 // its rows with no email now have no key
	if err := night("2026-11-22T12:00:00Z", false); err != nil {
		t.Fatalf("the run after the one that accepted the loss, the list rental's crm_id no longer mapped and gone: %v", err)
	}
	// The latest run is the one that ran last, whatever its date or now:
	// the customers' traffic_source dropped and accepted on 2026-11-21,
	// back on an earlier date run with the same now, then gone again on
	// another earlier date. By date (or by now, then run id, which begins
	// with the date) the baseline was 2026-11-21's, without the column,
	// and the loss went through with exit 0.
	if _, err := db.Exec("COPY (SELECT * EXCLUDE (traffic_source) FROM read_parquet('" + customers + "')) TO '" + noTraffic + "' (FORMAT parquet)"); err != nil {
		t.Fatal(err)
	}
	cfg.Inputs.Customers.Path = noTraffic
	if err := runOn(21, "2026-11-22T13:00:00Z", true); err != nil {
		t.Fatalf("traffic_source dropped and accepted: %v", err)
	}
	cfg.Inputs.Customers.Path = customers
	if err := runOn(10, "2026-11-22T13:00:00Z", false); err != nil {
		t.Fatalf("traffic_source back, 2026-11-10: %v", err)
	}
	cfg.Inputs.Customers.Path = noTraffic
	if err := runOn(11, "2026-11-22T13:00:00Z", false); exit.Code(err) != exit.Input || err == nil || !strings.Contains(err.Error(), "input customers: column traffic_source is in none of its files") {
		t.Fatalf("traffic_source gone again, 2026-11-11 after 2026-11-10 ran: exit %d, %v; want exit 3 naming the customers' traffic_source", exit.Code(err), err)
	}
}

// An input of 1,000 usable rows or more that gives no value of an
// identifier kind it gave 1,000 values or more of on the latest published
// run fails the run (exit 3) until a run accepts it: with the customers'
// email column all NULL, the customers who had opted out by email alone
// went unflagged and stayed in the exports (a probe's leak, exit 0). A
// smaller input may lose a kind (the 600 identity links without a
// device_id), and a run that accepted the loss is the next one's baseline.
func TestInputWithAnEmptiedKeyColumnFails(t *testing.T) {
	cfg := demoConfig(t)
	runAt(t, cfg, "2026-11-20", "2026-11-21T09:00:00Z", nil)
	db := openDuck(t)
	// Recorded: a kind of which an input gave 1,000 values or more.
	var recorded string
	if err := db.QueryRow("SELECT list_sort([c.input || '.' || c.name FOR c IN input_values_given])::VARCHAR FROM read_parquet('" + filepath.Join(cfg.Output, "runs", "**", "*.parquet") + "')").Scan(&recorded); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(recorded, "customers.email,") || !strings.Contains(recorded, "google_ads_audience.phone") || strings.Contains(recorded, "identity_links.device_id") {
		t.Errorf("input_values_given %s: want customers.email and google_ads_audience.phone, not identity_links.device_id (301 values)", recorded)
	}

	dir := t.TempDir()
	customers, links := filepath.Join(dir, "customers.parquet"), filepath.Join(dir, "links.parquet")
	for _, q := range []string{
		"COPY (SELECT * REPLACE (CAST(NULL AS VARCHAR) AS email) FROM read_parquet('" + filepath.Join(cfg.Inputs.Customers.Path, "*.parquet") + "')) TO '" + customers + "' (FORMAT parquet)",
		"COPY (SELECT * REPLACE (CAST(NULL AS VARCHAR) AS device_id) FROM read_parquet('" + cfg.Inputs.IdentityLinks.Path + "')) TO '" + links + "' (FORMAT parquet)",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	var logs bytes.Buffer
	night := func(now string, accept bool) error {
		n, err := time.Parse(time.RFC3339, now)
		if err != nil {
			t.Fatal(err)
		}
		logs.Reset()
		_, err = Run(context.Background(), RunOptions{Config: cfg, Date: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC), Now: n,
			AcceptDroppedColumns: accept, Log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))})
		return err
	}
	published := func() bool {
		_, err := os.Stat(filepath.Join(cfg.Output, "complete", "dt=2026-11-21", "_SUCCESS"))
		return err == nil
	}
	cfg.Inputs.IdentityLinks.Path = links
	if err := night("2026-11-22T08:00:00Z", false); err != nil || !published() {
		t.Fatalf("600 identity links without a device_id: %v (published %v); want a run that publishes", err, published())
	}
	if err := os.RemoveAll(filepath.Join(cfg.Output, "complete", "dt=2026-11-21")); err != nil {
		t.Fatal(err)
	}
	cfg.Inputs.Customers.Path = customers
	err := night("2026-11-22T09:00:00Z", false)
	if exit.Code(err) != exit.Input || err == nil || !strings.Contains(err.Error(), "input customers: column email: no value in any of its 3000 usable rows") ||
		!strings.Contains(err.Error(), "(of 2026-11-21)") || !strings.Contains(err.Error(), "--accept-dropped-columns") {
		t.Fatalf("customers' email emptied: exit %d, %v; want exit 3 naming the customers' email, the baseline's date and the flag", exit.Code(err), err)
	}
	if published() {
		t.Fatal("customers' email emptied: 2026-11-21 was published")
	}
	// validate reads and checks every input as a run does.
	if _, err := Validate(context.Background(), RunOptions{Config: cfg, Date: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC), Now: time.Date(2026, 11, 22, 9, 30, 0, 0, time.UTC),
		Log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))}); exit.Code(err) != exit.Input || !strings.Contains(err.Error(), "column email: no value") {
		t.Fatalf("validate, customers' email emptied: exit %d, %v; want exit 3 naming the email column", exit.Code(err), err)
	}
	if err := night("2026-11-22T10:00:00Z", true); err != nil || !published() {
		t.Fatalf("with the emptied column accepted: %v (published %v)", err, published())
	}
	if !strings.Contains(logs.String(), "--accept-dropped-columns") || !strings.Contains(logs.String(), "columns=email") {
		t.Errorf("with the emptied column accepted: no warning naming the customers' email:\n%s", logs.String())
	}
	if err := night("2026-11-22T11:00:00Z", false); err != nil {
		t.Fatalf("the run after the one that accepted the emptied column: %v", err)
	}
}

// So does a request source whose status or categories column was emptied:
// a NULL status reads as pending and NULL categories as all, so a rejected
// opt-in would count, and an opt-in of one category would opt its person
// back in to every one. The demo's web form log, six times over under
// other request ids, gives 1,000 values or more of each.
func TestRequestsWithAnEmptiedStatusOrCategoriesFail(t *testing.T) {
	cfg := demoConfig(t)
	dir := t.TempDir()
	big, noStatus, noCategories := filepath.Join(dir, "web_form.parquet"), filepath.Join(dir, "no_status.parquet"), filepath.Join(dir, "no_categories.parquet")
	db := openDuck(t)
	six := "SELECT * REPLACE (request_id || '-' || n AS request_id) FROM read_parquet('" + cfg.Inputs.Requests[0].Path + "', hive_partitioning = false), range(6) AS r(n)"
	for _, q := range []string{
		"COPY (" + six + ") TO '" + big + "' (FORMAT parquet)",
		"COPY (SELECT * REPLACE (CAST(NULL AS VARCHAR) AS status) FROM read_parquet('" + big + "')) TO '" + noStatus + "' (FORMAT parquet)",
		"COPY (SELECT * REPLACE (CASE WHEN false THEN categories END AS categories) FROM read_parquet('" + big + "')) TO '" + noCategories + "' (FORMAT parquet)",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	cfg.Inputs.Requests[0].Path = big
	runAt(t, cfg, "2026-11-20", "2026-11-21T09:00:00Z", nil)
	for _, c := range []struct{ path, column string }{{noStatus, "status"}, {noCategories, "categories"}} {
		cfg.Inputs.Requests[0].Path = c.path
		_, err := Run(context.Background(), RunOptions{Config: cfg, Date: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC), Now: time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC),
			Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if exit.Code(err) != exit.Input || !strings.Contains(err.Error(), "input web_form: column "+c.column+": no value in any of its") {
			t.Errorf("web_form's %s emptied: exit %d, %v; want exit 3 naming the column", c.column, exit.Code(err), err)
		}
	}
}
