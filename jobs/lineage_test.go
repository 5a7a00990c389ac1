package jobs

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/optout-dev/optout/internal/config"
)

// On BigQuery the lineage datasets are tables, named as OpenLineage's
// naming conventions name them: namespace bigquery, project.dataset.table.
// (The file engine's events are checked against the folders a demo run
// writes: cmd/optout/cli TestLineageEvents.)
func TestLineageBigQueryDatasets(t *testing.T) {
	file := filepath.Join(t.TempDir(), "lineage.jsonl")
	cfg := &config.Config{
		Engine:   "bigquery",
		BigQuery: config.BigQuery{Project: "acme", Dataset: "optout"},
		Inputs: config.Inputs{
			Requests:  []config.Input{{Name: "web_form", Table: "other-project.privacy.requests"}},
			Customers: &config.Input{Name: "customers", Table: "crm.customers"},
		},
		Exports: []config.Export{{Name: "meta_audience", Table: "marketing.meta"}},
		Lineage: &config.Lineage{File: file},
	}
	r := newRun(RunOptions{Config: cfg, Date: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)}, noTestPoint)
	if err := newLineage(r).emit(r, "START"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var ev lineageEvent
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatal(err)
	}
	names := func(ds []lineageDataset) []string {
		var out []string
		for _, d := range ds {
			if d.Namespace != "bigquery" {
				t.Errorf("dataset %s in namespace %q, want bigquery", d.Name, d.Namespace)
			}
			out = append(out, d.Name)
		}
		return out
	}
	if got, want := names(ev.Inputs), []string{"other-project.privacy.requests", "acme.crm.customers", "acme.marketing.meta"}; !slices.Equal(got, want) {
		t.Errorf("inputs %v, want %v", got, want)
	}
	outputs := names(ev.Outputs)
	for _, want := range []string{"acme.optout.customers_flagged", "acme.optout.exports__meta_audience", "acme.optout.metrics_sync",
		"acme.optout.quarantine__web_form", "acme.optout.quarantine__meta_audience", "acme.optout.export_manifest", "acme.optout.runs"} {
		if !slices.Contains(outputs, want) {
			t.Errorf("outputs %v lack %s", outputs, want)
		}
	}
}
