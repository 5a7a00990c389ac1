package bigquery

import (
	"testing"

	"github.com/optout-dev/optout/internal/config"

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
		if got := OutputTable(rel); got != want {
			t.Errorf("OutputTable(%q) = %q, want %q", rel, got, want)
		}
	}
	if got := StagedTable(transforms.Step{Table: "exports/ga", WrittenView: "written__ga"}); got != "written__ga" {
		t.Errorf("an export stages in %q, want its written view", got)
	}
	if got := StagedTable(transforms.Step{Table: "quarantine/web"}); got != "staged__quarantine__web" {
		t.Errorf("staged table %q", got)
	}
}

// OpenLineage names BigQuery datasets namespace bigquery,
// project.dataset.table; a dataset.table input is in the configured
// project. (The events a run writes are checked against the folders a
// demo run writes: cmd/optout/cli TestLineageEvents.)
func TestLineageNames(t *testing.T) {
	e := &Engine{Client: &Client{cfg: config.BigQuery{Project: "acme", Dataset: "optout"}}}
	for table, want := range map[string]string{"other-project.privacy.requests": "other-project.privacy.requests", "crm.customers": "acme.crm.customers"} {
		if ns, got := e.TableDataset(table); ns != "bigquery" || got != want {
			t.Errorf("TableDataset(%s) = %s %s, want bigquery %s", table, ns, got, want)
		}
	}
	for table, want := range map[string]string{"customers_flagged": "acme.optout.customers_flagged", "exports/meta_audience": "acme.optout.exports__meta_audience",
		"metrics/sync": "acme.optout.metrics_sync", "quarantine/web_form": "acme.optout.quarantine__web_form", "export_manifest": "acme.optout.export_manifest"} {
		if ns, got, ok := e.OutputDataset(table); ns != "bigquery" || got != want || !ok {
			t.Errorf("OutputDataset(%s) = %s %s %v, want bigquery %s", table, ns, got, ok, want)
		}
	}
}
