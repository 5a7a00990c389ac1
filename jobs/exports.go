package jobs

import (
	"context"
	"fmt"
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

// passLeakCheck fails the run when the export read back as written
// carries a suppressed key, or holds another number of rows than the run
// decided to keep, and otherwise marks the staged export complete
// (Stage.Checked). A failed run publishes no export at all.
func (r *run) passLeakCheck(ctx context.Context, export string, rows []engine.Row) error {
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
	var written int64
	for _, o := range r.rec.Outputs {
		if o.Table == "exports/"+export {
			written = o.Rows
		}
	}
	// The export writes every row it has not suppressed or quarantined: a
	// row its decisions never saw (an input file that changed during the
	// run) would be written undecided, so the count must match.
	if kept := asInt(rows[0]["kept"]); written != kept {
		return exit.With(exit.Failed, fmt.Errorf("export %s: %d rows written, but %d decided kept (did its input change while the run read it? rerun once its writers are done); no export of %s is published", export, written, kept, r.dt))
	}
	r.log.Debug("leak check passed", "export", export)
	return r.stage.Checked(ctx, transforms.Manifested{Export: export, As: r.writtenAs[export], Rows: written, PublishedAt: r.publicationTime(export)})
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

// registerExportHistory makes the exports earlier runs published, of
// every date (a rerun of D may first enforce a late request, which went
// out in later dates' exports too), queryable, each file as it was
// written, and notes when D's were first published. A file an older
// version published, which did not record how it was written, is read as
// today's export of its name; when no export has that name any more it
// cannot be read, and the run says so.
func (r *run) registerExportHistory(ctx context.Context) ([]transforms.HistoryView, []transforms.Published, error) {
	h, err := r.stage.History(ctx)
	if err != nil {
		return nil, nil, err
	}
	for export, at := range h.First {
		r.firstPublished[export] = at
	}
	for _, v := range h.Views {
		if _, configured := r.writtenAs[v.Export]; v.As == nil && !configured {
			r.log.Warn("third-party notifications cannot read an export an older optout version published, which is no longer configured: it did not record how its file was written; list the export's third parties by hand for opt-outs received while it ran",
				"export", v.Export)
		}
	}
	return h.Views, h.Published, nil
}

// readHistoryFrom makes each export history view read the exports dated
// on or after the history_from step's day. The earlier ones hold only
// rows third_party_notifications' own date filter drops; reading them
// made every run reread all the exports kept
// (policy.export_retention_days).
func (r *run) readHistoryFrom(ctx context.Context, rows []engine.Row) error {
	if len(rows) != 1 {
		return fmt.Errorf("step %s returned %d rows", transforms.HistoryFromStep, len(rows))
	}
	from, err := historyFromDay(rows[0]["history_from"])
	if err != nil {
		return err
	}
	return r.stage.NarrowHistory(ctx, from)
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
