package jobs

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"cloud.google.com/go/civil"

	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/internal/engine"
	"github.com/optout-dev/optout/internal/exit"
	"github.com/optout-dev/optout/transforms"
)

// exportInput is an export's source as an input: its quarantine folder
// carries the export's name.
func exportInput(e *config.Export) *config.Input {
	return &config.Input{Name: e.Name, Path: e.Path, Table: e.Table, Format: "export"}
}

// passLeakCheck fails the run when the export re-read from disk carries a
// suppressed key, and otherwise marks the staged export complete with
// _SUCCESS, its last file. A failed run publishes no export at all.
func (r *run) passLeakCheck(export string, rows []engine.Row) error {
	if len(rows) != 1 {
		return fmt.Errorf("leak check of export %s returned %d rows", export, len(rows))
	}
	n := asInt(rows[0]["leaks"])
	check := transforms.LeakCheck{Export: export, Destination: r.destination(export), Result: "passed", Leaks: n}
	if n > 0 {
		check.Result = "failed"
	}
	r.rec.LeakChecks = append(r.rec.LeakChecks, check)
	if n > 0 {
		return exit.With(exit.Failed, fmt.Errorf("leak check failed for export %s: %d written rows belong to people it must drop (their state derived again from the written keys); no export of %s is published", export, n, r.dt))
	}
	if r.bq != nil {
		return nil // published by its export_manifest row (stageManifest)
	}
	dir, ok := r.exportDirs[export]
	if !ok {
		return fmt.Errorf("leak check of export %s ran before the export was written", export)
	}
	// _SUCCESS holds when the export's date was first published:
	// third-party notifications look only at exports published before a
	// request was enforced.
	at := r.publicationTime(export).Format(time.RFC3339Nano)
	if err := os.WriteFile(filepath.Join(dir, "_SUCCESS"), []byte(at+"\n"), 0o644); err != nil {
		return err
	}
	r.log.Debug("leak check passed", "export", export)
	return nil
}

// publicationTime is when export's file for D was first published: kept
// from an earlier run of D, like a request's first_enforced_at, so that
// neither a rerun nor a backfill moves it; else this run's now.
func (r *run) publicationTime(export string) time.Time {
	if t, err := time.Parse(time.RFC3339Nano, r.firstPublished[export]); err == nil {
		return t.UTC()
	}
	return r.o.Now.UTC()
}

func (r *run) destination(export string) string {
	for _, e := range r.cfg.Exports {
		if e.Name == export {
			return e.Destination
		}
	}
	return ""
}

// registerExportHistory registers, per export, the files that earlier runs
// published (folders with _SUCCESS) for dates up to D, one view per file
// format, and returns the views by export and when each file was published.
func (r *run) registerExportHistory(ctx context.Context) (map[string][]string, []transforms.Published, error) {
	if r.bq != nil {
		return r.registerExportHistoryTables(ctx)
	}
	views := map[string][]string{}
	var published []transforms.Published
	for _, e := range r.cfg.Exports {
		markers, err := filepath.Glob(filepath.Join(r.cfg.Output, "exports", e.Name, "dt=*", "_SUCCESS"))
		if err != nil {
			return nil, nil, err
		}
		byFormat := map[string][]string{}
		for _, m := range markers {
			dir := filepath.Dir(m)
			if dt := exportFileDate(m); dt > r.dt {
				continue
			}
			at, err := os.ReadFile(m)
			if err != nil {
				return nil, nil, err
			}
			if exportFileDate(m) == r.dt {
				r.firstPublished[e.Name] = strings.TrimSpace(string(at))
			}
			files, _ := filepath.Glob(filepath.Join(dir, "part-0.*"))
			for _, f := range files {
				// An empty marker (an older version's) leaves the time unknown.
				published = append(published, transforms.Published{File: f, At: strings.TrimSpace(string(at))})
				byFormat[strings.TrimPrefix(filepath.Ext(f), ".")] = append(byFormat[strings.TrimPrefix(filepath.Ext(f), ".")], f)
			}
		}
		for _, format := range []string{"csv", "parquet"} {
			if files := byFormat[format]; len(files) > 0 {
				// The view reads the newest file, for its columns, until the
				// history_from step says which files are needed
				// (readHistoryFrom): registering every file kept read each
				// one's schema on every run.
				view := "history__" + e.Name + "__" + format
				if err := r.eng.Register(ctx, view, []string{newestExportFile(files)}); err != nil {
					return nil, nil, err
				}
				views[e.Name] = append(views[e.Name], view)
				r.historyFiles[view] = files
			}
		}
	}
	return views, published, nil
}

// readHistoryFrom makes each export history view read the exports dated
// on or after the history_from step's day: on DuckDB, registered over
// those files; on BigQuery, those partitions copied into the scratch
// table. The earlier ones hold only rows third_party_notifications' own
// date filter drops; reading them (DuckDB cannot skip CSV files by their
// folder's date) made every run reread all the exports kept
// (policy.export_retention_days). A DuckDB view with no such file keeps
// its newest alone, whose rows the filter drops.
func (r *run) readHistoryFrom(ctx context.Context, rows []engine.Row) error {
	if len(rows) != 1 {
		return fmt.Errorf("step %s returned %d rows", transforms.HistoryFromStep, len(rows))
	}
	from, err := historyFromDay(rows[0]["history_from"])
	if err != nil {
		return err
	}
	if r.bq != nil {
		for view, export := range r.historyExports {
			if err := r.bq.CopyExportHistory(ctx, view, export, from, r.dt); err != nil {
				return err
			}
		}
		return nil
	}
	for view, files := range r.historyFiles {
		var keep []string
		for _, f := range files {
			if exportFileDate(f) >= from {
				keep = append(keep, f)
			}
		}
		if len(keep) < 2 { // none, or the newest alone: registered so
			continue
		}
		if err := r.eng.Register(ctx, view, keep); err != nil {
			return err
		}
	}
	return nil
}

// historyFromDay is the day (YYYY-MM-DD) of the history_from value an
// engine returns: a DATE, or NULL when no opt-out is new, which needs no
// history (a day after any export's).
func historyFromDay(v any) (string, error) {
	switch d := v.(type) {
	case nil:
		return "9999-12-31", nil
	case time.Time: // DuckDB
		return d.Format(time.DateOnly), nil
	case civil.Date: // BigQuery
		return d.String(), nil
	}
	// Never guess: a day too late would leave notifications out.
	return "", fmt.Errorf("step %s returned history_from of type %T", transforms.HistoryFromStep, v)
}

// newestExportFile is the file of the latest date among published export files.
func newestExportFile(files []string) string {
	newest := files[0]
	for _, f := range files {
		if exportFileDate(f) > exportFileDate(newest) {
			newest = f
		}
	}
	return newest
}

// exportFileDate is the dt of a published export file: its folder's dt=D.
func exportFileDate(file string) string {
	return strings.TrimPrefix(filepath.Base(filepath.Dir(file)), "dt=")
}
