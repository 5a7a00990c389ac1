package jobs

import (
	"strings"
	"testing"

	bqengine "github.com/optout-dev/optout/internal/engine/bigquery"
	"github.com/optout-dev/optout/internal/exit"
	"github.com/optout-dev/optout/transforms"
)

// The BigQuery tables of the output folders are the analysts' catalog
// names (docs/bigquery.md); an export stages where its leak check reads.
func TestBigQueryTableNames(t *testing.T) {
	for rel, want := range map[string]string{
		"customers_flagged":     "customers_flagged",
		"metrics/sync":          "metrics_sync",
		"quarantine/web_form":   "quarantine__web_form",
		"exports/meta_audience": "exports__meta_audience",
		"suppression/meta":      "suppression__meta",
	} {
		if got := outputTable(rel); got != want {
			t.Errorf("outputTable(%q) = %q, want %q", rel, got, want)
		}
	}
	if got := stagedTable(transforms.Step{Table: "exports/ga", WrittenView: "written__ga"}); got != "written__ga" {
		t.Errorf("an export stages in %q, want its written view", got)
	}
	if got := stagedTable(transforms.Step{Table: "quarantine/web"}); got != "staged__quarantine__web" {
		t.Errorf("staged table %q", got)
	}
}

func TestOverCap(t *testing.T) {
	est := []bqengine.Estimate{{Step: "register_customers", Bytes: 900}, {Step: "customer_keys", Bytes: 1200}, {Step: "summary", Bytes: 1000}}
	if err := overCap(est, 0); err != nil {
		t.Errorf("no cap: %v", err)
	}
	if err := overCap(est, 1200); err != nil {
		t.Errorf("at the cap: %v", err)
	}
	err := overCap(est, 999)
	if err == nil || exit.Code(err) != exit.Failed || !strings.Contains(err.Error(), "2 steps") ||
		!strings.Contains(err.Error(), "customer_keys (1200 bytes), summary (1000 bytes)") || strings.Contains(err.Error(), "register_customers") {
		t.Errorf("over the cap: %v", err)
	}
}

// A per-date output's own dt column has a name on BigQuery, where dt is
// the partition column; the others have none (Publish refuses one then).
func TestOwnDate(t *testing.T) {
	for table, want := range map[string]string{"third_party_notifications": "export_dt", "quarantine__web_form": "input_dt", "customers_flagged": "", "exports__ads": ""} {
		if got := ownDate(table); got != want {
			t.Errorf("ownDate(%s) = %q, want %q", table, got, want)
		}
	}
}
