package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/optout-dev/optout/internal/engine"
	"github.com/optout-dev/optout/internal/engine/open"
	"github.com/optout-dev/optout/internal/exit"
	"github.com/optout-dev/optout/internal/redact"
	"github.com/optout-dev/optout/internal/testpoint"
	"github.com/optout-dev/optout/schemas"
	"github.com/optout-dev/optout/transforms"
)

// BackfillOptions are the inputs of `optout backfill`.
type BackfillOptions struct {
	RunOptions           // Date is ignored; Now, when set, is every run's now
	From, To   time.Time // inclusive
	Force      bool      // rerun dates that already have a successful run
	// OnDate is called before each date with how many are done (progress).
	OnDate func(done, total int, date string)
}

// BackfillSummary is the outcome of a backfill: its last stdout line.
type BackfillSummary struct {
	From       string   `json:"from"`
	To         string   `json:"to"`
	Status     string   `json:"status"`
	ExitCode   int      `json:"exit_code"`
	Done       []string `json:"done"`
	Skipped    []string `json:"skipped"`
	Failed     string   `json:"failed,omitempty"`
	Error      string   `json:"error,omitempty"`
	DurationMS int64    `json:"duration_ms"`
	// StepsExecuted and StepsReused count the steps of the dates that ran:
	// a reused step's table or file came from an earlier date (reuse.go),
	// which is why a backfill's later dates cost less than its first.
	StepsExecuted int `json:"steps_executed"`
	StepsReused   int `json:"steps_reused"`
	// Statements holds, per date that ran (failed or not), the SQL
	// statements the engine ran for it: its runs row's statements.
	Statements map[string]int64 `json:"statements"`
}

// Backfill runs every date from From to To in order, each exactly as
// `optout run` would, skipping dates with a successful run unless Force,
// and stops at the first date that fails. Retention is applied once, by
// the last date that runs, as of To (a run applies it after each date).
func Backfill(ctx context.Context, o BackfillOptions) (BackfillSummary, error) {
	start := time.Now()
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	sum := BackfillSummary{From: o.From.Format(time.DateOnly), To: o.To.Format(time.DateOnly), Done: []string{}, Skipped: []string{}, Statements: map[string]int64{}}
	finish := func(err error) (BackfillSummary, error) {
		sum.DurationMS = time.Since(start).Milliseconds()
		sum.Status = "succeeded"
		if err != nil {
			sum.Status, sum.ExitCode, sum.Error = "failed", exit.Code(err), redact.String(err.Error())
		}
		return sum, err
	}
	if o.To.Before(o.From) {
		return finish(exit.With(exit.Usage, fmt.Errorf("--to %s is before --from %s", sum.To, sum.From)))
	}
	last := o.RunOptions
	if last.Now.IsZero() {
		last.Now = start
	}
	last.Date = o.To
	if err := dateHasEnded(last, o.Config.Location, start); err != nil {
		// Before any date runs: a backfill is never provisional, so the
		// advice to pass --provisional is not for it.
		var ended *dayNotEnded
		if errors.As(err, &ended) {
			return finish(exit.With(exit.Usage, fmt.Errorf("--to %s has not ended in %s (it ends at %s, midnight there): a backfill covers days that have ended; end it at %s, and run that day after midnight, or intraday with optout run --provisional",
				sum.To, ended.loc, ended.end.UTC().Format(time.RFC3339), o.To.AddDate(0, 0, -1).Format(time.DateOnly))))
		}
		return finish(err)
	}
	// One engine for every date: its Arrow tables and settings are set up
	// once, and the tables that do not depend on the date are computed
	// once (tableCache). Each date still plans, checks and publishes as its
	// own run.
	eng := o.Engine
	if eng == nil {
		var err error
		eng, err = open.Engine(ctx, o.Config, open.Options{RunID: newRunID(o.From), Date: sum.From, KeepScratch: o.KeepScratch, Log: o.Log, At: testpoint.FromEnv(), ProfileDir: testpoint.ProfileDir()})
		if err != nil {
			return finish(err)
		}
		defer eng.Close()
	}
	if err := eng.Settle(ctx, true); err != nil {
		return finish(err)
	}
	past, err := succeededDates(ctx, eng, eng.Run)
	if err != nil {
		return finish(err)
	}
	if err := past.nowNotBefore(last.Now); err != nil {
		return finish(err) // before any date runs
	}
	done := past.dates
	var dates []time.Time
	var writing []string // the dates that will run
	for d := o.From; !d.After(o.To); d = d.AddDate(0, 0, 1) {
		dates = append(dates, d)
		if dt := d.Format(time.DateOnly); !done[dt] || o.Force {
			writing = append(writing, dt)
		}
	}
	// Retention runs once, after the last date that runs, as of the
	// backfill's last date: the partitions a run of --to would leave. Say
	// before anything is written which ones go, the backfill's own among
	// them (their ledger, metrics, notifications and runs rows stay).
	if len(writing) > 0 {
		if err := warnRetention(ctx, eng, o.Log, o.Config, o.To, writing); err != nil {
			return finish(err)
		}
	}
	tables := newTableCache()
	ran := false
	defer func() {
		if ran { // once, after the last date that ran (also when one failed)
			if err := eng.Catalog(ctx); err != nil {
				o.Log.Warn("could not refresh the analysts' catalog", "error", err)
			}
		}
	}()
	for i, d := range dates {
		dt := d.Format(time.DateOnly)
		if o.OnDate != nil {
			o.OnDate(i, len(dates), dt)
		}
		if done[dt] && !o.Force {
			sum.Skipped = append(sum.Skipped, dt)
			o.Log.Info("skipped: already run successfully (use --force to rerun)", "dt", dt)
			continue
		}
		ro := o.RunOptions
		ro.Date, ro.Engine, ro.NoCatalog, ro.tables = d, eng, true, tables
		ro.NoRetention = dt != writing[len(writing)-1]
		ro.retentionAsOf = o.To
		ran = true
		s, err := Run(ctx, ro)
		sum.Statements[dt] = s.Statements
		for _, st := range s.Steps {
			if strings.HasSuffix(st.Step, reusedSuffix) {
				sum.StepsReused++
			} else {
				sum.StepsExecuted++
			}
		}
		if err != nil {
			sum.Failed = dt
			return finish(fmt.Errorf("backfill stopped at %s (run %s): %w", dt, s.RunID, err))
		}
		sum.Done = append(sum.Done, dt)
	}
	if o.OnDate != nil {
		o.OnDate(len(dates), len(dates), "")
	}
	return finish(nil)
}

// pastRuns is what the published runs rows say of the runs before one.
type pastRuns struct {
	// dates: those with a successful run, each true when one of them was
	// final (not provisional).
	dates map[string]bool
	// published: those whose outputs a run published: a successful run,
	// or one that died after its publish (its runs row left `published`).
	published map[string]bool
	// ledgerCutoff: the latest ledger retention cutoff a successful run
	// applied (zero: none, or runs rows from before it was recorded).
	ledgerCutoff time.Time
	// registered: the runs rows are registered as prev_runs (there are any).
	registered bool
	// columns: which of the columns later versions added prev_runs has.
	columns transforms.RunsColumns
	// nows: per date, the latest now of the runs that published it.
	nows map[string]time.Time
}

// succeededDates registers the published runs rows as prev_runs, when
// there are any, and reads from them the dates that have a successful run
// and the latest ledger cutoff one applied. run runs the query (a run
// counts its statement, as its steps').
func succeededDates(ctx context.Context, eng engine.Engine, run func(context.Context, transforms.Step) (int64, []engine.Row, error)) (pastRuns, error) {
	past := pastRuns{dates: map[string]bool{}, published: map[string]bool{}, nows: map[string]time.Time{}}
	var err error
	if past.registered, err = eng.ReadPublished(ctx, "prev_runs", "runs", ""); !past.registered || err != nil {
		return past, err
	}
	// One look at the columns (each look binds every runs file again).
	has, err := columnsOf(ctx, eng, "prev_runs", "ledger_cutoff", "published", "input_columns", "input_values_given")
	if err != nil {
		return pastRuns{}, err
	}
	past.columns = transforms.RunsColumns{LedgerCutoff: has[0], Published: has[1], InputColumns: has[2], InputValuesGiven: has[3]}
	q, err := transforms.SucceededDatesStep(eng.Dialect(), eng.Scratch(), past.columns)
	if err != nil {
		return pastRuns{}, err
	}
	_, rows, err := run(ctx, q)
	if err != nil {
		return pastRuns{}, err
	}
	for _, r := range rows {
		past.published[str(r["dt"])] = true
		if succeeded, _ := r["succeeded"].(bool); succeeded {
			final, _ := r["final"].(bool)
			past.dates[str(r["dt"])] = final
		}
		if c, ok := r["ledger_cutoff"].(time.Time); ok && c.After(past.ledgerCutoff) {
			past.ledgerCutoff = c
		}
		if n, ok := r["latest_now"].(time.Time); ok {
			past.nows[str(r["dt"])] = n
		}
	}
	return past, nil
}

// nowNotBefore refuses a run whose now is before that of a run already
// published in the output (beyond clockSlack, for hosts whose clocks
// differ a little). A run's now is when it enforces and publishes: one
// set earlier would record a request as enforced (first_enforced_at, the
// SLA status) before exports that had already gone out without it
// filtered, backdating the enforcement, and would hide those exports from
// its third-party notifications.
func (p pastRuns) nowNotBefore(now time.Time) error {
	var latest time.Time
	for _, n := range p.nows {
		if n.After(latest) {
			latest = n
		}
	}
	if latest.IsZero() || !now.Before(latest.Add(-clockSlack)) {
		return nil
	}
	return exit.With(exit.Usage, fmt.Errorf("--now %s is before the now of a run already published in this output (%s): a run's now is when it enforces and publishes, and an earlier one would date enforcements before exports that went out without them; leave --now out (the clock) or give one after %s",
		now.UTC().Format(time.RFC3339), latest.UTC().Format(time.RFC3339), latest.UTC().Format(time.RFC3339)))
}

// hasColumn says whether relation view, which the run registered (in its
// scratch dataset on BigQuery), has the column: the runs rows of an older
// version lack the columns added since.
func hasColumn(ctx context.Context, eng engine.Engine, view, column string) (bool, error) {
	has, err := columnsOf(ctx, eng, view, column)
	if err != nil {
		return false, err
	}
	return has[0], nil
}

// columnsOf says, for each of columns, whether relation view has it, from
// one description of the relation.
func columnsOf(ctx context.Context, eng engine.Engine, view string, columns ...string) ([]bool, error) {
	if s := eng.Scratch(); s != "" {
		view = s + "." + view
	}
	cols, err := eng.DescribeTable(ctx, view)
	if err != nil {
		return nil, err
	}
	has := make([]bool, len(columns))
	for i, c := range columns {
		has[i] = slices.ContainsFunc(cols, func(f schemas.Field) bool { return strings.EqualFold(f.Name, c) })
	}
	return has, nil
}
