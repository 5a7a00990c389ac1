package jobs

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"google.golang.org/api/option"

	bqengine "github.com/optout-dev/optout/internal/engine/bigquery"
	"github.com/optout-dev/optout/transforms"
)

// On BigQuery a run holds the output dataset's lock table, computes every
// output into its scratch dataset, checks each export there, and then
// publishes all of them in one transaction with the export_manifest rows
// last (bqengine.Engine.Publish). The runs row is appended either way.

// openBigQuery opens the run's BigQuery engine and its scratch dataset.
// An http:// endpoint (an emulator, a local proxy) gets no credentials:
// they would travel in clear text.
func (r *run) openBigQuery(ctx context.Context) error {
	var opts []option.ClientOption
	if strings.HasPrefix(r.cfg.BigQuery.Endpoint, "http://") {
		opts = append(opts, option.WithoutAuthentication())
	}
	eng, err := bqengine.Open(ctx, r.cfg.BigQuery, r.id, r.dt, opts...)
	if err != nil {
		return err
	}
	eng.Dry, eng.KeepScratch = r.dry, r.o.KeepScratch
	r.eng, r.bq = eng, eng
	return nil
}

func (r *run) runBigQuery(ctx context.Context) (err error) {
	if err := r.open(ctx); err != nil {
		return err
	}
	defer r.close()
	unlock, err := r.bq.Lock(ctx, r.id)
	if err != nil {
		return err
	}
	r.hook("locked")
	defer func() {
		if uerr := unlock(); uerr != nil {
			err = errors.Join(err, fmt.Errorf("release the lock: %w", uerr))
		}
	}()
	defer func() {
		if werr := r.writeRunsRow(ctx, err); werr != nil {
			r.log.Error("could not write the runs row", "error", werr)
			err = errors.Join(err, werr)
		}
	}()
	if err := r.transform(ctx); err != nil {
		return err
	}
	if err := r.exportToStorage(ctx); err != nil {
		return err
	}
	if err := r.stageManifest(ctx); err != nil {
		return err
	}
	r.hook("staged")
	if err := r.bq.Publish(ctx, r.dt, r.staged); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	r.log.Info("published", "dataset", r.cfg.BigQuery.Project+"."+r.cfg.BigQuery.Dataset)
	return r.applyRetentionBigQuery(ctx)
}

// outputTable is the BigQuery table of an output folder: the analysts'
// catalog name (metrics/sync → metrics_sync, quarantine/web → quarantine__web).
func outputTable(rel string) string {
	if m, ok := strings.CutPrefix(rel, "metrics/"); ok {
		return "metrics_" + m
	}
	return strings.ReplaceAll(rel, "/", "__")
}

// stagedTable is where an Output step's rows wait in the scratch dataset:
// an export's own written view (its leak check reads it there).
func stagedTable(s transforms.Step) string {
	if s.WrittenView != "" {
		return s.WrittenView
	}
	return "staged__" + outputTable(s.Table)
}

// clusterFor is the clustering of an output table (docs/bigquery.md).
func (r *run) clusterFor(table string) []string {
	switch {
	case table == "customers_flagged" || table == "optout_state" || table == "flag_changes":
		return []string{"customer_id"}
	case table == "requests_ledger" || table == "third_party_notifications":
		return []string{"request_id"}
	case strings.HasPrefix(table, "suppression__"):
		return []string{"identifier_type", "hashed_value"}
	case strings.HasPrefix(table, "quarantine__"):
		return []string{"reason"}
	case strings.HasPrefix(table, "exports__"):
		for _, e := range r.cfg.Exports {
			if "exports__"+e.Name == table {
				kinds := make([]string, 0, len(e.Identifiers))
				for k := range e.Identifiers {
					kinds = append(kinds, k)
				}
				sort.Strings(kinds)
				if len(kinds) > 0 {
					return []string{e.Identifiers[kinds[0]]}
				}
			}
		}
	}
	return nil
}

// ownDate is the name on BigQuery of a per-date output's own dt column,
// dt being the partition column there (docs/bigquery.md): the export's
// date of a third-party notification, the input's own dt column of a
// quarantined row (a hive-partitioned input's folder date, say).
func ownDate(table string) string {
	switch {
	case table == "third_party_notifications":
		return "export_dt"
	case strings.HasPrefix(table, "quarantine__"):
		return "input_dt"
	}
	return ""
}

// stageOutput notes a staged Output step for the publish.
func (r *run) stageOutput(s transforms.Step) {
	table := outputTable(s.Table)
	r.staged = append(r.staged, bqengine.Staged{Scratch: s.Target, Table: table, PerDate: s.PerDate, Cluster: r.clusterFor(table), OwnDate: ownDate(table)})
}

// exportToStorage writes each export that has a gcs_uri to Cloud Storage
// from its staged rows, which passed their leak check (transform fails
// otherwise). It goes before the publish, so that export_manifest never
// lists an export whose files could not be written.
func (r *run) exportToStorage(ctx context.Context) error {
	for _, e := range r.cfg.Exports {
		if e.GCSURI == "" {
			continue
		}
		scratch := ""
		for _, s := range r.staged {
			if s.Table == "exports__"+e.Name {
				scratch = s.Scratch
			}
		}
		if scratch == "" {
			return fmt.Errorf("export %s: no staged rows to write to %s", e.Name, e.GCSURI)
		}
		if err := r.bq.ExportData(ctx, e.Name, strings.ReplaceAll(e.GCSURI, "{dt}", r.dt), e.Format, scratch); err != nil {
			return err
		}
		r.log.Info("export written to Cloud Storage", "export", e.Name, "uri", e.GCSURI)
	}
	return nil
}

// stageManifest stages the export_manifest rows of the exports whose leak
// check passed (all of them, or the run has already failed); it goes last.
func (r *run) stageManifest(ctx context.Context) error {
	var rows []transforms.Manifested
	for _, c := range r.rec.LeakChecks {
		var n int64
		for _, o := range r.rec.Outputs {
			if o.Table == "exports/"+c.Export {
				n = o.Rows
			}
		}
		rows = append(rows, transforms.Manifested{Export: c.Export, Destination: c.Destination, Rows: n, PublishedAt: r.publicationTime(c.Export)})
	}
	if len(rows) == 0 {
		return nil
	}
	step, err := transforms.ManifestStep(transforms.BigQuery, r.id, rows)
	if err != nil {
		return err
	}
	step.Target = stagedTable(step)
	if _, err := r.runStep(ctx, step); err != nil {
		return err
	}
	r.stageOutput(step)
	return nil
}

// registerPreviousTables copies into the scratch dataset the latest
// earlier optout_state partition, the ledger and the runs rows, when the
// output dataset has them.
func (r *run) registerPreviousTables(ctx context.Context) (state, ledger, runs bool, err error) {
	prev, err := r.bq.LatestBefore(ctx, "optout_state", r.dt)
	if err != nil {
		return false, false, false, err
	}
	if prev != "" {
		if state, err = r.bq.CopyOutput(ctx, "prev_optout_state", "optout_state", prev); err != nil {
			return false, false, false, err
		}
	}
	if ledger, err = r.bq.CopyOutput(ctx, "prev_requests_ledger", "requests_ledger", ""); err != nil {
		return false, false, false, err
	}
	runs, err = r.bq.CopyOutput(ctx, "prev_runs", "runs", "")
	return state, ledger, runs, err
}

// registerExportHistoryTables lists each export's published partitions up
// to D and names the scratch table that will hold them, one per export;
// the history_from step decides which partitions are copied there
// (readHistoryFrom).
func (r *run) registerExportHistoryTables(ctx context.Context) (map[string][]string, []transforms.Published, error) {
	views := map[string][]string{}
	var published []transforms.Published
	for _, e := range r.cfg.Exports {
		view := "history__" + e.Name
		p, err := r.bq.ExportHistory(ctx, e.Name, r.dt)
		if err != nil {
			return nil, nil, err
		}
		for _, x := range p {
			if strings.HasSuffix(x.File, r.dt) { // the partition of D: published before
				r.firstPublished[e.Name] = x.At
			}
		}
		if len(p) > 0 {
			views[e.Name] = []string{view}
			published = append(published, p...)
			r.historyExports[view] = e.Name
		}
	}
	return views, published, nil
}

// writeRunsRowBigQuery appends the runs row to the runs table.
func (r *run) writeRunsRowBigQuery(ctx context.Context, step transforms.Step) error {
	step.Target = "staged__runs"
	if _, _, err := r.eng.Run(ctx, step); err != nil {
		return err
	}
	return r.bq.Append(ctx, step.Target, "runs")
}

// applyRetentionBigQuery deletes the partitions older than their
// retention, as applyRetention removes folders (SPEC §6).
func (r *run) applyRetentionBigQuery(ctx context.Context) error {
	if r.o.NoRetention {
		return nil
	}
	p := r.cfg.Policy
	tables := map[string]int{"customers_flagged": p.SnapshotRetentionDays, "optout_state": p.SnapshotRetentionDays, "export_report": p.ExportRetentionDays}
	for _, e := range r.cfg.Exports {
		tables["exports__"+e.Name] = p.ExportRetentionDays
		tables["suppression__"+e.Name] = p.ExportRetentionDays
	}
	names := make([]string, 0, len(tables))
	for t := range tables {
		names = append(names, t)
	}
	sort.Strings(names)
	for _, table := range names {
		if ok, err := r.bq.OutputExists(ctx, table); err != nil {
			return err
		} else if !ok {
			continue
		}
		cutoff := r.retentionDate().AddDate(0, 0, -tables[table]).Format(time.DateOnly)
		n, err := r.bq.DeleteBefore(ctx, table, cutoff)
		if err != nil {
			return err
		}
		if n > 0 {
			r.recordRetention(table, n, cutoff, nil)
		}
	}
	return nil
}
