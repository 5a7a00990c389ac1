package jobs

import (
	"strings"
	"testing"

	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/internal/exit"
	"github.com/optout-dev/optout/transforms"
)

// customers_flagged must write one row for each customer row counted used
// (over every file of the input); one row fewer or more fails the run.
func TestCustomersAllWritten(t *testing.T) {
	cfg := &config.Config{Inputs: config.Inputs{Customers: &config.Input{Name: "customers"}}}
	rec := func(written int64) transforms.RunRecord {
		return transforms.RunRecord{
			Inputs: []transforms.FileCount{
				{Input: "customers", File: "a.parquet", RowsRead: 10, RowsUsed: 9, RowsQuarantined: 1},
				{Input: "customers", File: "b.parquet", RowsRead: 5, RowsUsed: 5},
				{Input: "web_form", File: "r.parquet", RowsRead: 7, RowsUsed: 7},
			},
			Outputs: []transforms.OutputCount{{Table: "optout_state", Rows: 3}, {Table: "customers_flagged", Rows: written}},
		}
	}
	if err := (&run{cfg: cfg, rec: rec(14), dt: "2026-11-21"}).customersAllWritten(); err != nil {
		t.Errorf("14 written of 14 used: %v", err)
	}
	for _, written := range []int64{13, 15} {
		err := (&run{cfg: cfg, rec: rec(written), dt: "2026-11-21"}).customersAllWritten()
		if err == nil || exit.Code(err) != exit.Failed || !strings.Contains(err.Error(), "14 customer rows") {
			t.Errorf("%d written of 14 used: error %v (exit %d); want exit %d", written, err, exit.Code(err), exit.Failed)
		}
	}
}
