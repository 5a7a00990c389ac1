package jobs

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/internal/exit"
	"github.com/optout-dev/optout/internal/testkit/bqfake"
)

// On BigQuery the outputs that keep an input's columns (customers_flagged,
// the exports) are partitioned by dt, so a customers table or an export
// with a column of its own named dt (a daily snapshot's, in any case) is
// refused as the inputs are read (exit 3, naming the input and column).
// It collided at the publish, after every scan was billed, with exit 1 and
// a message naming neither.
func TestBigQueryInputWithItsOwnDateColumnIsRefused(t *testing.T) {
	for _, c := range []struct{ customers, ads, want string }{
		{"customer_id STRING, email STRING, phone STRING, dt DATE", "email STRING", "input customers: table proj.inputs.customers: column dt:"},
		{"customer_id STRING, email STRING, phone STRING", "email STRING, DT DATE", "input ads: table proj.inputs.ads: column DT:"},
	} {
		f := bqfake.New(t)
		f.Answer = fakeAnswers(f)
		f.AddTable("inputs.web_form", "request_id STRING, received_at TIMESTAMP, email STRING")
		f.AddTable("inputs.customers", c.customers)
		f.AddTable("inputs.ads", c.ads)
		p := filepath.Join(t.TempDir(), "optout.yaml")
		body := `engine: bigquery
timezone: America/Los_Angeles
inputs:
  requests:
    - {name: web_form, table: proj.inputs.web_form}
  customers: {table: proj.inputs.customers}
exports:
  - {name: ads, table: proj.inputs.ads, destination: google_ads, category: advertising, identifiers: {email: email}}
bigquery: {project: proj, dataset: optout, endpoint: "` + f.URL + `"}
`
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, err := config.Load(p)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Run(context.Background(), RunOptions{Config: cfg, Date: fakeDay(fakeDates[0]), Now: fakeNow})
		if exit.Code(err) != exit.Input || !strings.Contains(err.Error(), c.want) {
			t.Errorf("exit %d, %v; want exit 3 naming %q", exit.Code(err), err, c.want)
		}
	}
}
