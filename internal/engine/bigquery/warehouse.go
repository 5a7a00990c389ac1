package bigquery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"cloud.google.com/go/civil"
	"google.golang.org/api/iterator"

	"github.com/optout-dev/optout/internal/engine"
	"github.com/optout-dev/optout/transforms"
)

// On BigQuery a run holds the output dataset's lock table, computes every
// output into its scratch dataset, checks each export there, and then
// publishes all of them in one transaction with the export_manifest rows
// last (Publish). The runs row is appended after it either way.

// Dialect is BigQuery's.
func (e *Engine) Dialect() transforms.Dialect { return transforms.BigQuery }

// Where is the output dataset.
func (e *Engine) Where() string { return "bigquery:" + e.cfg.Project + "." + e.cfg.Dataset }

// OutputDataset names an output table as OpenLineage's naming conventions
// do: namespace bigquery and project.dataset.table.
func (e *Engine) OutputDataset(table string) (string, string, bool) {
	return "bigquery", e.cfg.Project + "." + e.cfg.Dataset + "." + OutputTable(table), true
}

// TableDataset names a warehouse table (dataset.table gets the configured project).
func (e *Engine) TableDataset(table string) (string, string) {
	if strings.Count(table, ".") == 1 {
		table = e.cfg.Project + "." + table
	}
	return "bigquery", table
}

// Settle has nothing to finish: a publish is one transaction.
func (e *Engine) Settle(context.Context, bool) error { return nil }

// Catalog has nothing to refresh: the output tables are the catalog.
func (e *Engine) Catalog(context.Context) error { return nil }

// OutputTable is the BigQuery table of an output folder: the analysts'
// catalog name (metrics/sync → metrics_sync, quarantine/web → quarantine__web).
func OutputTable(rel string) string {
	if m, ok := strings.CutPrefix(rel, "metrics/"); ok {
		return "metrics_" + m
	}
	return strings.ReplaceAll(rel, "/", "__")
}

// Partitions lists the dates of a per-date output table.
func (e *Engine) Partitions(ctx context.Context, table string) ([]string, error) {
	t := OutputTable(table)
	if ok, err := e.OutputExists(ctx, t); !ok || err != nil {
		return nil, err
	}
	res, err := e.Query(ctx, "partitions_"+t, fmt.Sprintf("SELECT DISTINCT dt FROM %s ORDER BY dt", e.Output(t)))
	if err != nil {
		return nil, err
	}
	var dates []string
	for _, r := range res.Rows {
		if d, ok := r["dt"].(civil.Date); ok {
			dates = append(dates, d.String())
		}
	}
	return dates, nil
}

// Tables lists the output tables of group (exports__*, suppression__*).
func (e *Engine) Tables(ctx context.Context, group string) ([]string, error) {
	var out []string
	it := e.bq.Dataset(e.cfg.Dataset).Tables(ctx)
	for {
		t, err := it.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			return nil, mapError("list_tables", "", err, e.cfg.MaxBytesBilled)
		}
		if name, ok := strings.CutPrefix(t.TableID, group+"__"); ok {
			out = append(out, group+"/"+name)
		}
	}
	sort.Strings(out)
	return out, nil
}

// DropPartitions deletes the given dates of a per-date output table.
func (e *Engine) DropPartitions(ctx context.Context, table string, dates []string) error {
	if len(dates) == 0 {
		return nil
	}
	lits := make([]string, len(dates))
	for i, d := range dates {
		lits[i] = "DATE " + transforms.BigQuery.Literal(d)
	}
	t := OutputTable(table)
	_, err := e.Exec(ctx, "retention_"+t, fmt.Sprintf("DELETE FROM %s WHERE dt IN (%s)", e.Output(t), strings.Join(lits, ", ")))
	return err
}

// ReadPublished copies an output table (one date, or all of it) into the
// scratch dataset as view: the run reads it as it was when it started,
// whatever its own publish does to the table.
func (e *Engine) ReadPublished(ctx context.Context, view, table, dt string) (bool, error) {
	return e.CopyOutput(ctx, view, OutputTable(table), dt)
}

// RecordRun appends the runs row to the runs table.
func (e *Engine) RecordRun(ctx context.Context, _ string, step transforms.Step) error {
	step.Target = "staged__runs"
	if _, _, err := e.Run(ctx, step); err != nil {
		return err
	}
	return e.Append(ctx, step.Target, "runs")
}

// Begin starts a run's staging in the scratch dataset; its jobs carry the
// run's id and date as labels from now on (a backfill's dates share the
// engine).
func (e *Engine) Begin(_ context.Context, run engine.RunInfo) (engine.Stage, error) {
	e.labels["optout_run_id"], e.labels["optout_dt"] = labelValue(run.ID), labelValue(run.Date)
	return &stage{e: e, run: run, historyCount: map[string]int{}}, nil
}

// stage is one run's outputs staged in the scratch dataset.
type stage struct {
	e        *Engine
	run      engine.RunInfo
	staged   []Staged
	manifest []transforms.Manifested
	// histories are the history tables History named, historyCount how
	// many of each export.
	histories    []*historyCopy
	historyCount map[string]int
}

// Target is the scratch table an Output step's rows wait in: an export's
// own written view (its leak check reads it there).
func (s *stage) Target(step transforms.Step) (string, error) { return StagedTable(step), nil }

// StagedTable is where an Output step's rows wait in the scratch dataset.
func StagedTable(s transforms.Step) string {
	if s.WrittenView != "" {
		return s.WrittenView
	}
	return "staged__" + OutputTable(s.Table)
}

// Written notes a staged output for the publish.
func (s *stage) Written(_ context.Context, step transforms.Step) error {
	table := OutputTable(step.Table)
	s.staged = append(s.staged, Staged{Scratch: step.Target, Table: table, PerDate: step.PerDate, Cluster: s.clusterFor(table), OwnDate: engine.OwnDate(step.Table)})
	return nil
}

// Checked notes an export's export_manifest row; the rows go last in the
// publish, so that the manifest lists only exports published with it.
func (s *stage) Checked(_ context.Context, m transforms.Manifested) error {
	s.manifest = append(s.manifest, m)
	return nil
}

// Kept: a BigQuery output is not reused across dates.
func (s *stage) Kept(transforms.Step) (engine.Kept, bool) { return engine.Kept{}, false }

// Reuse: nothing is kept.
func (s *stage) Reuse(transforms.Step, engine.Kept) bool { return false }

// Discard: the scratch dataset goes as a whole when the engine closes.
func (s *stage) Discard() {}

// Publish writes each export with a gcs_uri to Cloud Storage, stages the
// export_manifest rows, and publishes everything staged in one
// transaction. The runs row is appended by RecordRun.
func (s *stage) Publish(ctx context.Context, _ transforms.Step) error {
	if err := s.exportToStorage(ctx); err != nil {
		return err
	}
	if len(s.manifest) > 0 {
		step, err := transforms.ManifestStep(transforms.BigQuery, s.run.ID, s.manifest)
		if err != nil {
			return err
		}
		step.Target = StagedTable(step)
		if _, _, err := s.e.Run(ctx, step); err != nil {
			return err
		}
		if err := s.Written(ctx, step); err != nil {
			return err
		}
	}
	if s.e.Dry {
		return nil
	}
	s.e.at("staged")
	if err := s.e.Publish(ctx, s.run.Date, s.staged); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	return nil
}

// exportToStorage writes each export that has a gcs_uri to Cloud Storage
// from its staged rows, which passed their leak check. It goes before the
// publish, so that export_manifest never lists an export whose files could
// not be written.
func (s *stage) exportToStorage(ctx context.Context) error {
	for _, x := range s.e.exports {
		if x.GCSURI == "" {
			continue
		}
		scratch := ""
		for _, st := range s.staged {
			if st.Table == "exports__"+x.Name {
				scratch = st.Scratch
			}
		}
		if scratch == "" {
			return fmt.Errorf("export %s: no staged rows to write to %s", x.Name, x.GCSURI)
		}
		if err := s.e.ExportData(ctx, x.Name, strings.ReplaceAll(x.GCSURI, "{dt}", s.run.Date), x.Format, scratch); err != nil {
			return err
		}
	}
	return nil
}

// History lists the published partitions of every export and date
// (export_manifest) and names the scratch tables that will hold them:
// one per export and way of writing; NarrowHistory copies the partitions
// needed there.
func (s *stage) History(ctx context.Context) (engine.History, error) {
	h := engine.History{First: map[string]string{}}
	parts, err := s.e.ExportHistory(ctx)
	if err != nil {
		return h, err
	}
	byKey := map[string]*historyCopy{}
	for _, p := range parts {
		if p.Date == s.run.Date { // published before
			h.First[p.Export] = p.At
		}
		h.Published = append(h.Published, p.Published)
		c := byKey[p.Export+"\x00"+p.As]
		if c == nil {
			var as *transforms.PublishedAs
			if p.As != "" {
				as = new(transforms.PublishedAs)
				if err := json.Unmarshal([]byte(p.As), as); err != nil {
					return h, fmt.Errorf("%s: published_as of export %s on %s: %w", ManifestTable, p.Export, p.Date, err)
				}
			}
			view := "history__" + p.Export
			if n := s.historyCount[p.Export]; n > 0 {
				view = fmt.Sprintf("%s__%d", view, n)
			}
			s.historyCount[p.Export]++
			c = &historyCopy{view: view, export: p.Export}
			byKey[p.Export+"\x00"+p.As] = c
			s.histories = append(s.histories, c)
			h.Views = append(h.Views, transforms.HistoryView{Export: p.Export, View: view, As: as})
		}
		c.dates = append(c.dates, p.Date)
	}
	return h, nil
}

// historyCopy is one history table: the partitions of an export written
// the same way.
type historyCopy struct {
	view, export string
	dates        []string
}

// NarrowHistory copies into each history table its partitions dated from on.
func (s *stage) NarrowHistory(ctx context.Context, from string) error {
	for _, c := range s.histories {
		var dates []string
		for _, d := range c.dates {
			if d >= from {
				dates = append(dates, d)
			}
		}
		if err := s.e.CopyExportHistory(ctx, c.view, c.export, dates); err != nil {
			return err
		}
	}
	return nil
}

// clusterFor is the clustering of an output table (docs/bigquery.md).
func (s *stage) clusterFor(table string) []string {
	switch {
	case table == "customers_flagged" || table == "optout_state" || table == "flag_changes":
		return []string{"customer_id"}
	case table == "requests_ledger" || table == "requests_ledger_removed" || table == "third_party_notifications":
		return []string{"request_id"}
	case strings.HasPrefix(table, "suppression__"):
		return []string{"identifier_type", "hashed_value"}
	case strings.HasPrefix(table, "quarantine__"):
		return []string{"reason"}
	case strings.HasPrefix(table, "exports__"):
		for _, x := range s.e.exports {
			if "exports__"+x.Name == table {
				kinds := make([]string, 0, len(x.Identifiers))
				for k := range x.Identifiers {
					kinds = append(kinds, k)
				}
				sort.Strings(kinds)
				if len(kinds) > 0 {
					return []string{x.Identifiers[kinds[0]]}
				}
			}
		}
	}
	return nil
}
