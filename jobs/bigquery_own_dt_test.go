package jobs

import (
	"context"
	"strings"
	"testing"

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
	for _, c := range []struct{ table, cols, want string }{
		{"inputs.customers", "customer_id STRING, email STRING, phone STRING, dt DATE", "input customers: table proj.inputs.customers: column dt:"},
		{"inputs.ads", "email STRING, DT DATE", "input ads: table proj.inputs.ads: column DT:"},
		// Any input: its quarantined rows keep their own dt as input_dt.
		{"inputs.web_form", "request_id STRING, received_at TIMESTAMP, email STRING, dt DATE, Input_DT DATE", "input web_form: table proj.inputs.web_form: columns dt and Input_DT:"},
	} {
		f := bqfake.New(t)
		f.Answer = fakeAnswers(f)
		cfg := fakeConfig(t, f)
		f.AddTable(c.table, c.cols) // in place of fakeConfig's
		_, err := Run(context.Background(), RunOptions{Config: cfg, Date: fakeDay(fakeDates[0]), Now: fakeNow})
		if exit.Code(err) != exit.Input || !strings.Contains(err.Error(), c.want) {
			t.Errorf("exit %d, %v; want exit 3 naming %q", exit.Code(err), err, c.want)
		}
	}
}
