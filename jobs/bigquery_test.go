package jobs

import (
	"testing"

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
