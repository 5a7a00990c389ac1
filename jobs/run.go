// Package jobs orchestrates optout's commands: it owns a run's lifecycle
// (lock, inputs, staging, publish, runs row) and drives an engine through
// the steps transforms renders; it contains no SQL.
package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/big"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/internal/engine"
	"github.com/optout-dev/optout/internal/engine/open"
	"github.com/optout-dev/optout/internal/exit"
	"github.com/optout-dev/optout/internal/redact"
	"github.com/optout-dev/optout/internal/testpoint"
	"github.com/optout-dev/optout/schemas"
	"github.com/optout-dev/optout/transforms"
)

// RunOptions are the arguments of one run.
type RunOptions struct {
	Config  *config.Config
	Date    time.Time // the logical date D (any time on that day, UTC)
	Now     time.Time // zero: the wall clock at start
	Version string
	Log     *slog.Logger
	// OnStep, when set, is called as each step starts, the kth of n, for a
	// progress display; when nil, a run logs each step's start at INFO
	// instead, so that a log shows where a long run is.
	OnStep func(step string, k, n int)
	// Engine, when set, is an open engine the run uses and leaves open (a
	// backfill shares one across dates); otherwise the run opens its own.
	Engine engine.Engine
	// NoCatalog skips refreshing the analysts' catalog (a backfill
	// refreshes it once, after its last date).
	NoCatalog bool
	// NoRetention skips retention after the publish: a backfill sets it on
	// every date but the last one it runs, which applies retention once
	// for the whole backfill (as of the backfill's last date).
	NoRetention bool
	// Provisional allows a run before D has ended in the config's timezone
	// (an intraday run); the runs row and the summary say so.
	Provisional bool
	// AcceptDroppedColumns lets the run read inputs that have lost a
	// contracted column since the latest run that published
	// (checkInputColumns): a column dropped on purpose.
	AcceptDroppedColumns bool
	// KeepScratch leaves a BigQuery run's scratch dataset in place, for
	// inspecting its intermediate tables; it expires in a day.
	KeepScratch bool
	// tables, set by a backfill on its shared engine, keeps the tables
	// that do not depend on the date from one date to the next.
	tables *tableCache
	// retentionAsOf, set by a backfill on the last date it runs, is the
	// date that run's retention counts back from (the backfill's --to);
	// zero: the run's own date.
	retentionAsOf time.Time
}

// Summary is the outcome of a run: the last stdout line of `optout run`.
type Summary struct {
	RunID       string                `json:"run_id"`
	Date        string                `json:"dt"`
	Status      string                `json:"status"`
	ExitCode    int                   `json:"exit_code"`
	Error       string                `json:"error,omitempty"`
	Customers   int64                 `json:"customers"`
	OptedOut    int64                 `json:"opted_out"`
	ByCategory  map[string]int64      `json:"opted_out_by_category"`
	Requests    int64                 `json:"requests_counted"`
	Quarantined int64                 `json:"rows_quarantined"`
	Provisional bool                  `json:"provisional"`
	Output      string                `json:"output"`
	DurationMS  int64                 `json:"duration_ms"`
	Steps       []transforms.StepTime `json:"steps"`
	// Statements is the runs row's statements: the SQL statements the
	// engine ran for the steps.
	Statements int64 `json:"statements"`
}

// ValidateOnly, when set, reads and checks every input and writes nothing.
type mode int

const (
	modeRun mode = iota
	modeValidate
)

// Run enforces every opt-out known as of the end of D and publishes D's outputs.
func Run(ctx context.Context, o RunOptions) (Summary, error) {
	return execute(ctx, o, modeRun)
}

// Validate reads and checks every input for D and writes nothing.
func Validate(ctx context.Context, o RunOptions) (Summary, error) {
	return execute(ctx, o, modeValidate)
}

// run is the state of one execution.
type run struct {
	o     RunOptions
	cfg   *config.Config
	log   *slog.Logger
	id    string
	dt    string
	eng   engine.Engine
	stage engine.Stage
	at    engine.TestPoint
	rec   transforms.RunRecord
	sum   Summary
	// firstPublished: when each export's date D was first published, by an
	// earlier run of D (RFC 3339; absent for a first run).
	firstPublished map[string]string
	// dry: plan only (optout plan): on BigQuery every query is a dry run;
	// DuckDB still reads and checks the inputs.
	dry bool
	// checkOnly: optout validate, the Validate phase only.
	checkOnly bool
	// keepTables: no temporary table is dropped (Inspect: explain queries
	// them after the run's steps; optout plan is an inspection too).
	keepTables bool
	steps      progress
	// stamps: every input file as the run listed it, before reading it.
	stamps []stamp
	// ran: the dates whose outputs a run published before this one
	// (pastRuns.published), read once in prepare: a run that died after
	// its publish left them as a successful run would.
	ran map[string]bool
	// publishedAt: the latest now of the runs that published D (zero:
	// none, or runs rows from before it was read).
	publishedAt time.Time
	// writtenAs: how each export's file is written, recorded when it is
	// published.
	writtenAs map[string]transforms.PublishedAs
	// inputColumns: each input's contract and columns, as loaded
	// (checkInputColumns).
	inputColumns map[string]inputColumns
	// valuesBefore: the identifier kinds (a request source's status and
	// categories too) each input gave values of on the latest published
	// run (checkInputColumns), for checkValuesGiven.
	valuesBefore valuesBaseline
}

func execute(ctx context.Context, o RunOptions, m mode) (Summary, error) {
	start := time.Now()
	if o.Now.IsZero() {
		o.Now = start
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	r := newRun(o, testpoint.FromEnv())
	r.log = o.Log.With("run_id", r.id, "dt", r.dt)
	r.checkOnly = m == modeValidate
	if r.o.OnStep == nil {
		r.o.OnStep = r.logStep
	}
	r.sum = Summary{RunID: r.id, Date: r.dt, Output: r.cfg.Output, ByCategory: map[string]int64{}}
	r.rec = transforms.RunRecord{RunID: r.id, Engine: r.cfg.Engine, Version: o.Version, Date: o.Date, Now: o.Now.UTC(), StartedAt: start.UTC(), Provisional: o.Provisional}
	r.sum.Provisional = o.Provisional

	var err error
	if m == modeValidate {
		err = r.validate(ctx)
	} else if err = dateHasEnded(o, r.cfg.Location, start); err == nil {
		err = r.open(ctx)
	}
	if m == modeRun && err == nil {
		defer r.close()
		lin := newLineage(r)
		r.emitLineage(lin, "START")
		err = r.run(ctx)
		if err != nil {
			r.emitLineage(lin, "FAIL")
		} else {
			r.emitLineage(lin, "COMPLETE")
		}
	}
	err = stopped(ctx, err)
	r.sum.DurationMS = time.Since(start).Milliseconds()
	r.sum.ExitCode = exit.Code(err)
	r.sum.Status = "succeeded"
	if err != nil {
		r.sum.Status = "failed"
		r.sum.Error = redact.String(err.Error())
	}
	r.sum.Steps, r.sum.Statements = r.rec.Steps, r.rec.Statements
	return r.sum, err
}

func newRun(o RunOptions, at engine.TestPoint) *run {
	return &run{o: o, cfg: o.Config, id: newRunID(o.Date), dt: o.Date.Format(time.DateOnly), at: at, firstPublished: map[string]string{}, writtenAs: map[string]transforms.PublishedAs{}, inputColumns: map[string]inputColumns{}}
}

// hook calls the test hook at a point where a test may only stop the run.
func (r *run) hook(point string) { _ = r.at(point) }

func newRunID(d time.Time) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return d.Format("20060102") + "T" + time.Now().UTC().Format("150405") + "-" + hex.EncodeToString(b)
}

// dateHasEnded refuses a run whose now is before D's as-of instant (SPEC
// §2): it cannot see the rest of D, so its outputs would not be D's.
// Asked for as provisional (an intraday run) it goes ahead once D has
// begun. A provisional run of a day not yet begun is refused: retention
// counts back from D, so a run of a date years ahead removed ledger
// requests, exports and snapshots well inside their retention. For the
// same reason a now ahead of clock, the machine's time at the start, is
// refused: with it any date could be run ahead of time, and its
// first_enforced_at and publish times would lie in the future.
func dateHasEnded(o RunOptions, loc *time.Location, clock time.Time) error {
	if err := nowNotAhead(o.Now, clock); err != nil {
		return err
	}
	end := asOf(o.Date, loc)
	if !o.Now.Before(end) {
		return nil
	}
	if o.Provisional {
		if start := asOf(o.Date.AddDate(0, 0, -1), loc); o.Now.Before(start) {
			return exit.With(exit.Usage, fmt.Errorf("%s has not begun in %s: it begins at %s, midnight there; a provisional run is an intraday run of a day under way",
				o.Date.Format(time.DateOnly), loc, start.UTC().Format(time.RFC3339)))
		}
		return nil
	}
	return exit.With(exit.Usage, &dayNotEnded{o.Date, loc, end})
}

// nowNotAhead refuses a now ahead of clock, the machine's time (beyond
// clockSlack): a run cannot start in the future.
func nowNotAhead(now, clock time.Time) error {
	if now.After(clock.Add(clockSlack)) {
		return exit.With(exit.Usage, fmt.Errorf("--now %s is ahead of the clock (%s): a run cannot start in the future; retention, first_enforced_at and publish times count from its now, and a run ahead of time removes outputs still inside their retention",
			now.UTC().Format(time.RFC3339), clock.UTC().Format(time.RFC3339)))
	}
	return nil
}

// dayNotEnded is the refusal of a run of a day that has not ended.
type dayNotEnded struct {
	date time.Time
	loc  *time.Location
	end  time.Time
}

// Error says the end in UTC: a 7-digit run such as "00 (2026-11-22" would
// be taken for a phone number by the redactor.
func (e *dayNotEnded) Error() string {
	return fmt.Sprintf("%s has not ended in %s: it ends at %s, midnight there, and a run before then would miss the rest of the day; run it after then, or pass --provisional for an intraday run that a later run of the date replaces",
		e.date.Format(time.DateOnly), e.loc, e.end.UTC().Format(time.RFC3339))
}

// stopped makes the error of a run whose context was cancelled (a signal,
// a scheduler's timeout) a failure, exit 1, where it said bad input: the
// step it stopped in may have been reading an input, which did not make
// the input bad (exit 3 is not retried).
func stopped(ctx context.Context, err error) error {
	if err != nil && ctx.Err() != nil && exit.Code(err) == exit.Input {
		return exit.With(exit.Failed, err)
	}
	return err
}

// runsRowGrace bounds the writing of a stopped run's runs row: a scheduler
// that sent SIGTERM kills the process after a grace period of its own.
const runsRowGrace = 20 * time.Second

// clockSlack is how far a run's now may be ahead of this machine's clock:
// the host that computed it may run a little ahead.
const clockSlack = 5 * time.Minute

// asOf is 00:00 of D+1 in the configured time zone (SPEC §2): the first
// instant of D+1 there. Where a daylight-saving change skips midnight
// (America/Santiago in September), time.Date may give an instant an hour
// before it, still on D; D then ends where that zone offset does. Where
// midnight comes twice (America/Havana in November), time.Date gives the
// first, where D ends.
func asOf(d time.Time, loc *time.Location) time.Time {
	next := time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc)
	if next.In(loc).Day() == d.Day() {
		_, next = next.ZoneBounds()
	}
	return next
}

func (r *run) validate(ctx context.Context) error {
	if err := r.open(ctx); err != nil {
		return err
	}
	defer r.close()
	if err := r.eng.Settle(ctx, false); err != nil {
		return err
	}
	if err := r.begin(ctx); err != nil {
		return err
	}
	defer r.stage.Discard()
	_, _, err := r.prepare(ctx)
	// The customers a run would flag; the summary's customers said 0,
	// as nothing is written.
	r.sum.Customers = r.customersUsed()
	return err
}

// begin starts the run's staging.
func (r *run) begin(ctx context.Context) (err error) {
	r.stage, err = r.eng.Begin(ctx, engine.RunInfo{ID: r.id, Date: r.dt, Now: r.o.Now})
	return err
}

func (r *run) run(ctx context.Context) (err error) {
	unlock, err := r.eng.Lock(ctx, r.id)
	if err != nil {
		return err
	}
	defer func() {
		if uerr := unlock(); uerr != nil {
			err = errors.Join(err, fmt.Errorf("release the lock: %w", uerr))
		}
	}()
	if err := r.begin(ctx); err != nil {
		return err
	}
	defer func() {
		r.stage.Discard() // unless published
		// A run stopped (SIGTERM: a scheduler's timeout) failed, whatever
		// step it was in, and still records its row, within a grace period.
		err = stopped(ctx, err)
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), runsRowGrace)
		defer cancel()
		if werr := r.writeRunsRow(rctx, err); werr != nil {
			r.log.Error("could not write the runs row", "error", werr)
			err = errors.Join(err, werr)
		}
		if err == nil && !r.o.NoCatalog {
			r.refreshCatalog(ctx) // last: its views cover this run's runs row
		}
	}()

	if err := r.transform(ctx); err != nil {
		return err
	}
	// The runs row goes out with the outputs it describes, so that a
	// process that dies right after the publish still leaves its row
	// (status published; the row written at the end replaces it).
	r.rec.Status, r.rec.ExitCode, r.rec.Published = "published", 0, true
	published, err := r.runsStep()
	if err != nil {
		return err
	}
	if err := r.stage.Publish(ctx, published); err != nil {
		r.rec.Published = false
		return err
	}
	r.log.Info("published", "output", r.eng.Where())
	if err := r.writeBack(ctx); err != nil {
		return err
	}
	// A failure from here on fails the run, whose runs row still says that
	// D's outputs are its own (published).
	if err := r.at("written_back"); err != nil {
		return err
	}
	return r.applyRetention(ctx)
}

// refreshCatalog refreshes the analysts' catalog; a failure is logged,
// not fatal: the outputs are already published.
func (r *run) refreshCatalog(ctx context.Context) {
	if err := r.eng.Catalog(ctx); err != nil {
		r.log.Warn("could not refresh the analysts' catalog", "error", err)
	}
}

// writeBack puts D's published flags onto the customers table when the
// config asks for it. It runs after the publish: a kill before its change
// commits leaves the table as it was, and the next run of D writes the
// same flags. The table holds the newest flags: when a later date already
// has a successful run (a rerun or backfill of an earlier date), D's older
// flags would undo opt-outs enforced since, so D leaves the table alone.
func (r *run) writeBack(ctx context.Context) error {
	in := r.cfg.Inputs.Customers
	if in == nil || !in.WriteBack {
		return nil
	}
	newest := ""
	for dt := range r.ran { // no other run can have published since: the lock
		newest = max(newest, dt)
	}
	if newest > r.dt {
		r.log.Info("flags not written back: a later date has run, and the table keeps that date's newer flags (its run wrote them, or a rerun of it will)", "table", in.Table, "newest_date", newest)
		return nil
	}
	n, err := r.eng.WriteBack(ctx, in.Table, r.dt)
	if err != nil {
		return err
	}
	r.rec.WriteBackRows = n
	r.log.Info("flags written back", "table", in.Table, "rows_changed", n)
	return nil
}

func (r *run) open(ctx context.Context) error {
	if r.o.Engine != nil {
		r.eng = r.o.Engine
		r.sum.Output = r.eng.Where()
		return nil
	}
	eng, err := open.Engine(ctx, r.cfg, open.Options{RunID: r.id, Date: r.dt, Dry: r.dry, KeepScratch: r.o.KeepScratch, Log: r.log, At: r.at, ProfileDir: testpoint.ProfileDir()})
	if err != nil {
		return err
	}
	r.eng = eng
	r.sum.Output = eng.Where()
	return nil
}

// close closes the engine the run opened itself.
func (r *run) close() {
	if r.o.Engine == nil {
		if err := r.eng.Close(); err != nil {
			r.log.Warn("could not close the engine", "error", err)
		}
	}
}

// prepare loads and checks every input and runs the Validate phase,
// failing on any contract, quarantine, duplicate or freshness violation.
func (r *run) prepare(ctx context.Context) (transforms.Phases, transforms.Plan, error) {
	cfg := r.cfg
	plan := transforms.Plan{P: runParams(cfg, r.o.Date, r.o.Now, r.rec.StartedAt), StateSLA: stateSLA(cfg), Dialect: r.eng.Dialect(), Scratch: r.eng.Scratch()}
	load := func(in *config.Input) (transforms.Source, error) {
		t := time.Now()
		src, files, err := loadInput(ctx, r.eng, in, cfg)
		if err != nil {
			return src, err
		}
		r.log.Debug("input checked", "input", in.Name, "files", len(files), "ms", time.Since(t).Milliseconds())
		for _, f := range files {
			r.rec.Inputs = append(r.rec.Inputs, transforms.FileCount{Input: in.Name, File: f.File})
		}
		r.stamps = append(r.stamps, files...)
		ic := inputColumns{contract: contractFor(in, cfg.Exports), fields: src.Fields}
		r.inputColumns[in.Name] = ic
		r.rec.InputColumns = append(r.rec.InputColumns, ic.contracted(in.Name)...)
		return src, nil
	}
	for i := range cfg.Inputs.Requests {
		src, err := load(&cfg.Inputs.Requests[i])
		if err != nil {
			return transforms.Phases{}, plan, err
		}
		plan.Requests = append(plan.Requests, src)
	}
	var err error
	if plan.Customers, err = load(cfg.Inputs.Customers); err != nil {
		return transforms.Phases{}, plan, err
	}
	if in := cfg.Inputs.IdentityLinks; in != nil {
		src, err := load(in)
		if err != nil {
			return transforms.Phases{}, plan, err
		}
		plan.Links = &src
	}
	if in := cfg.Inputs.Traffic; in != nil {
		src, err := load(in)
		if err != nil {
			return transforms.Phases{}, plan, err
		}
		plan.Traffic = &src
	}
	for i := range cfg.Exports {
		e := &cfg.Exports[i]
		src, err := load(exportInput(e))
		if err != nil {
			return transforms.Phases{}, plan, err
		}
		x := transforms.Export{Name: e.Name, Destination: e.Destination, Category: e.Category,
			Channel: e.Channel, Mode: e.Mode, Format: e.Format, HashIdentifiers: e.HashIdentifiers, FormulaGuard: e.FormulaGuard(), Identifiers: e.Identifiers, Src: src}
		if col, starts := x.FormulaHeader(); x.FormulaGuard && col != "" {
			return transforms.Phases{}, plan, exit.With(exit.Input, fmt.Errorf("export %s: column %s: its name begins with %q (after any byte order marks), and the CSV's header row would carry it unguarded, for a spreadsheet to run as a formula (Safe CSV); rename the column in the export's input, or set csv_formula_guard: false",
				e.Name, redact.String(col), starts))
		}
		plan.Exports = append(plan.Exports, x)
		r.writtenAs[e.Name] = x.AsPublished()
	}
	plan.LeakTestExport = testpoint.PlantLeak()
	past, err := succeededDates(ctx, r.eng, r.exec)
	if err != nil {
		return transforms.Phases{}, plan, err
	}
	if !r.checkOnly && !r.dry && !r.keepTables { // a run that publishes
		if err := past.nowNotBefore(r.o.Now); err != nil {
			return transforms.Phases{}, plan, err
		}
	}
	r.ran, r.publishedAt, plan.HasPrevRuns = past.published, past.nows[r.dt], past.registered
	if err := r.checkInputColumns(ctx, past); err != nil {
		return transforms.Phases{}, plan, err
	}
	ran := slices.Sorted(maps.Keys(r.ran))
	if err := r.registerPrevious(ctx, &plan, ran); err != nil {
		return transforms.Phases{}, plan, err
	}
	r.ledgerRetention(&plan.P, ran, past.ledgerCutoff)

	if plan.ExportHistory, plan.ExportPublished, err = r.registerExportHistory(ctx); err != nil {
		return transforms.Phases{}, plan, err
	}
	phases, err := plan.Build()
	if err != nil {
		return phases, plan, err
	}
	r.planned(phases)
	checks := map[string][]engine.Row{}
	for _, s := range phases.Validate {
		rows, err := r.runKept(ctx, s, r.runStep)
		if err != nil {
			// A step that reads the inputs failed on them, unless the
			// engine ran out of memory or disk, or said what failed (a
			// stopped run: stopped).
			if s.FromTables || errors.As(err, new(*engine.RuntimeError)) || errors.As(err, new(*exit.Error)) {
				return phases, plan, err
			}
			return phases, plan, exit.With(exit.Input, err)
		}
		if s.Kind == transforms.Check {
			checks[s.Name] = rows
		}
		if !r.keepTables {
			if err := r.free(ctx, s.Free); err != nil {
				return phases, plan, err
			}
		}
	}
	if r.dry && r.eng.Estimates() != nil {
		return phases, plan, nil // dry runs: the checks' rows are not computed
	}
	if err := r.checkInputs(checks); err != nil {
		return phases, plan, err
	}
	r.inputsChecked()
	return phases, plan, nil
}

// registerPrevious makes the latest earlier optout_state and the ledger
// queryable, when they exist, and says so in plan; ran holds the dates
// with a successful run, sorted (the runs rows are registered already).
func (r *run) registerPrevious(ctx context.Context, plan *transforms.Plan, ran []string) error {
	plan.LaterDateRan = len(ran) > 0 && ran[len(ran)-1] > r.dt
	dates, err := r.eng.Partitions(ctx, "optout_state")
	if err != nil {
		return err
	}
	// flag_changes compares with the run for the latest earlier date: its
	// optout_state, or, once snapshot retention removed it, the feeds
	// (flag_changes.sql). An older state that a rerun of its date brought
	// back is not that date's.
	prev, prevRan := latestBefore(dates, r.dt), latestBefore(ran, r.dt)
	if prev != "" && prev >= prevRan {
		if plan.HasPrevState, err = r.eng.ReadPublished(ctx, "prev_optout_state", "optout_state", prev); err != nil {
			return err
		}
	} else if prevRan != "" {
		if plan.HasPrevFeed, err = r.eng.ReadPublished(ctx, "prev_flag_changes", "flag_changes", ""); err != nil {
			return err
		}
	}
	if plan.HasPrevLedger, err = r.eng.ReadPublished(ctx, "prev_requests_ledger", "requests_ledger", ""); err != nil {
		return err
	}
	if plan.HasPrevLedgerRemoved, err = r.eng.ReadPublished(ctx, "prev_requests_ledger_removed", "requests_ledger_removed", ""); err != nil {
		return err
	}
	// An earlier run of D: its notifications stay (third_party_notifications.sql).
	plan.HasPrevNotices, err = r.eng.ReadPublished(ctx, "prev_notifications", "third_party_notifications", r.dt)
	return err
}

// warnNarrowed logs the opt-outs an earlier run enforced that cover less
// than on the previous ledger (sql/opt_outs_narrowed.sql): not an error,
// since a customer deleted on request narrows one too, but never silent.
func (r *run) warnNarrowed(row engine.Row) {
	if n := asInt(row["unreached"]); n > 0 {
		r.log.Warn("enforced opt-out requests no longer reach a customer they reached on the previous run: those customers are no longer flagged or suppressed through them; expected after a customer's deletion, otherwise check inputs.identity_links and the customers' identifier columns",
			"requests", n, "example", redact.String(fmt.Sprint(row["unreached_example"])))
	}
	if n := asInt(row["fewer_categories"]); n > 0 {
		r.log.Warn("enforced opt-out requests cover fewer categories than on the previous run: their people are no longer opted out of the others through them; check policy.gpc_categories and the request logs' corrections",
			"requests", n, "example", redact.String(fmt.Sprint(row["fewer_categories_example"])))
	}
}

// ledgerRetention sets the instant before which the ledger drops
// requests, and records it in the runs row. Counted back from D, it is
// moved later to where a run's retention would remove requests:
//   - counted back from the newest date that ran (ran, sorted), when that
//     is later than D: the ledger is one table that follows the latest
//     date, and a rerun of an earlier date, counting back from its own,
//     brought back the requests a later run's retention had removed, as
//     newly enforced (a new first_enforced_at);
//   - the latest cutoff an earlier run applied (applied): raising
//     retention_months, or unsetting it, brought them back the same way.
//     What retention removed stays removed.
func (r *run) ledgerRetention(p *transforms.Params, ran []string, applied time.Time) {
	cutoff := func(s string) time.Time { t, _ := time.Parse(time.RFC3339, s); return t }
	if len(ran) > 0 && ran[len(ran)-1] > r.dt {
		if d, err := time.Parse(time.DateOnly, ran[len(ran)-1]); err == nil {
			p.RetentionCutoff = ledgerCutoff(r.cfg, d, r.o.Now)
		}
	}
	if applied.After(cutoff(p.RetentionCutoff)) {
		r.log.Info("the ledger leaves out requests received before an earlier run's retention cutoff: that run removed them, and when they were first enforced is no longer known",
			"cutoff", applied.UTC().Format(time.RFC3339))
		p.RetentionCutoff = applied.UTC().Format(time.RFC3339)
	}
	r.rec.LedgerCutoff = p.RetentionCutoff
}

// latestBefore is the greatest of the sorted dates before dt, or "".
func latestBefore(dates []string, dt string) string {
	best := ""
	for _, d := range dates {
		if d < dt {
			best = d
		}
	}
	return best
}

// checkInputs applies the row accounting of the Validate phase: nothing
// lost, the quarantine ratio, duplicate customers and freshness.
func (r *run) checkInputs(checks map[string][]engine.Row) error {
	if rows := checks["request_id_collisions"]; len(rows) == 1 && asInt(rows[0]["collisions"]) > 0 {
		return exit.With(exit.Input, fmt.Errorf("inputs.requests: column request_id: %d request_id values have a row that shares no identifier with the request's current row (for example %s): two people's requests under one id, from two systems numbering alike or one reusing its ids across files or days; the current row would replace the other person's request and silently undo their opt-out. Give the other request's rows an id of their own (a prefix per source, ids that never restart); to correct every identifier of a request, reject it under its id and file the corrected request under a new one",
			asInt(rows[0]["collisions"]), redact.String(fmt.Sprint(rows[0]["example"]))))
	}
	if rows := checks["counted_requests_missing"]; len(rows) == 1 && asInt(rows[0]["missing"]) > 0 {
		return exit.With(exit.Input, fmt.Errorf("inputs.requests: %d opt-out requests that earlier runs counted (first enforced from %v; for example request_id %s) have no usable row in any request source: a file or partition of the append-only request log was removed, a source left the config or a vendor-format source was renamed (their request ids include the source's name), or their rows are now quarantined; without them these opt-outs would silently end. Restore the rows, or add a correction row with status rejected for a request that must no longer count",
			asInt(rows[0]["missing"]), rows[0]["earliest_enforced"], redact.String(fmt.Sprint(rows[0]["example"]))))
	}
	if rows := checks["counted_requests_missing"]; len(rows) == 1 && asInt(rows[0]["withdrawn"]) > 0 {
		return exit.With(exit.Input, fmt.Errorf("inputs.requests: %d opt-out requests that earlier runs enforced (for example request_id %s) would no longer count, though no row rejects them: their current row's status is pending and policy.apply_pending is false (the setting was changed, or a later row set the status back to pending). An enforced opt-out ends only by a correction row with status rejected; keep apply_pending true until they are processed, add a row with their real status, or reject the ones that must not count",
			asInt(rows[0]["withdrawn"]), redact.String(fmt.Sprint(rows[0]["withdrawn_example"]))))
	}
	if rows := checks["counted_requests_missing"]; len(rows) == 1 && asInt(rows[0]["unseen"]) > 0 {
		return exit.With(exit.Input, fmt.Errorf("inputs.requests: %d opt-out requests that runs up to this date enforced (for example request_id %s) have no row this date reads: every row of theirs is now dated after the date's as-of instant (a later received_at or updated_at, or an updated_at in the future), so the row an earlier run counted was rewritten in place. The request log must be append-only: a status change or correction is a new row beside the old one. Restore the rows as they were when counted, or add a correction row with status rejected for a request that must no longer count; without them these opt-outs would silently end",
			asInt(rows[0]["unseen"]), redact.String(fmt.Sprint(rows[0]["unseen_example"]))))
	}
	if rows := checks["customer_duplicates"]; len(rows) == 1 && asInt(rows[0]["duplicate_ids"]) > 0 {
		// The files of one duplicated id, not the id: an error never prints
		// a value (SPEC §7), and a customer_id identifies a person.
		where := fmt.Sprintf("twice in file %v", rows[0]["example_first_file"])
		if first, last := fmt.Sprint(rows[0]["example_first_file"]), fmt.Sprint(rows[0]["example_last_file"]); first != last {
			where = fmt.Sprintf("in files %s and %s", first, last)
		}
		return exit.With(exit.Input, fmt.Errorf("input customers: column customer_id: %d customer_id values appear on more than one row (one of them %s; list them with SELECT customer_id, count(*) … GROUP BY customer_id HAVING count(*) > 1 over the input); customer_id must be unique",
			asInt(rows[0]["duplicate_ids"]), where))
	}
	byFile := map[[2]string]*transforms.FileCount{}
	for i := range r.rec.Inputs {
		fc := &r.rec.Inputs[i]
		byFile[[2]string{fc.Input, fc.File}] = fc
	}
	var problems []string
	inputs := r.cfg.AllInputs()
	for i := range r.cfg.Exports {
		inputs = append(inputs, exportInput(&r.cfg.Exports[i]))
	}
	for _, in := range inputs {
		var read, later, quarantined int64
		reasons := map[string]int64{}
		var newest time.Time
		var newestFile string
		keys := map[[2]string]*keyValues{} // (file, kind; or status, categories)
		for _, row := range checks["input_counts__"+in.Name] {
			n := asInt(row["n"])
			file := fmt.Sprint(row["file"])
			fc := byFile[[2]string{in.Name, file}]
			if fc == nil {
				return fmt.Errorf("input %s: rows counted for unlisted file %v", in.Name, row["file"])
			}
			fc.RowsRead += n
			for col, v := range row {
				if kind, ok := strings.CutPrefix(col, "given__"); ok {
					kv := keys[[2]string{file, kind}]
					if kv == nil {
						kv = &keyValues{}
						keys[[2]string{file, kind}] = kv
					}
					kv.given += asInt(v)
					if row["reason"] == nil {
						kv.kept += asInt(v)
					}
					kv.invalid += asInt(row["invalid__"+kind])
					fc.InvalidIdentifiers += asInt(row["invalid__"+kind])
				}
			}
			read += n
			switch {
			case row["later"] == true:
				fc.RowsAfterAsOf += n
				later += n
			case row["reason"] != nil:
				fc.RowsQuarantined += n
				quarantined += n
				reasons[fmt.Sprint(row["reason"])] += n
			default:
				fc.RowsUsed += n
			}
			if t, ok := row["newest_received_at"].(time.Time); ok && t.After(newest) {
				newest, newestFile = t, file
			}
		}
		if err := r.checkKeyColumns(in, keys); err != nil {
			return err
		}
		if err := r.checkValuesGiven(in, keys, read-later-quarantined); err != nil {
			return err
		}
		if in.Name == "customers" && read == 0 {
			// As for a folder with no file: a customers table or file
			// emptied by a failed load is no company without customers.
			// Read as one, every opt-out that reached an export row only
			// through a customer's other keys let the person leave.
			return exit.With(exit.Input, fmt.Errorf("input customers: it has no rows (%s): a customers table that was emptied or a load that wrote nothing, not a company without customers; without them the opt-outs that reach an export row through a customer's other identifiers would not hold. Fix the load, then run again", r.inputPlace(in)))
		}
		r.sum.Quarantined += quarantined
		if quarantined > 0 {
			r.log.Warn("rows quarantined", "input", in.Name, "rows", quarantined, "reasons", formatCounts(reasons))
		}
		considered := read - later
		if considered > 0 && float64(quarantined)/float64(considered) > r.cfg.Policy.MaxQuarantineRatio {
			problems = append(problems, fmt.Sprintf("input %s: %d of %d rows (%.2f%%) are unusable, more than policy.max_quarantine_ratio %v (%s; %s)",
				in.Name, quarantined, considered, 100*float64(quarantined)/float64(considered), r.cfg.Policy.MaxQuarantineRatio, formatCounts(reasons), quarantinedFiles(r.rec.Inputs, in.Name)))
		}
		if f := in.Freshness.Duration; f > 0 {
			ref := r.o.Now
			if a := asOf(r.o.Date, r.cfg.Location); a.Before(ref) {
				ref = a
			}
			if newest.IsZero() {
				return exit.With(exit.Failed, fmt.Errorf("input %s is stale: it has no usable rows received before the as-of instant (freshness %s)", in.Name, f))
			}
			if age := ref.Sub(newest); age > f {
				return exit.With(exit.Failed, fmt.Errorf("input %s is stale: its newest row (in file %s) was received at %s, %s before %s, more than its freshness %s",
					in.Name, newestFile, newest.UTC().Format(time.RFC3339), age.Round(time.Minute), ref.UTC().Format(time.RFC3339), f))
			}
		}
	}
	if len(problems) > 0 {
		return exit.With(exit.Input, errors.New(strings.Join(problems, "; ")))
	}
	return nil
}

// quarantinedFiles names the files of input whose rows were quarantined,
// the most first (three at most), so that the operator of a run stopped
// by the quarantine ratio knows where to look: nothing is published, the
// quarantine folder included.
func quarantinedFiles(counts []transforms.FileCount, input string) string {
	var fs []transforms.FileCount
	for _, fc := range counts {
		if fc.Input == input && fc.RowsQuarantined > 0 {
			fs = append(fs, fc)
		}
	}
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].RowsQuarantined > fs[j].RowsQuarantined })
	var parts []string
	for i, fc := range fs {
		if i == 3 {
			parts = append(parts, fmt.Sprintf("and %d more files", len(fs)-3))
			break
		}
		parts = append(parts, fmt.Sprintf("%s: %d", fc.File, fc.RowsQuarantined))
	}
	return "in file " + strings.Join(parts, ", ")
}

// keyValues counts the values given in one key column of one file (or in
// a request source's status or categories, which have no invalid ones), the
// invalid ones among them, and those given in rows not quarantined (kept;
// a request source's rows after the as-of instant included: a backfill of
// a date before a kind was collected is no emptied column).
type keyValues struct{ given, invalid, kept int64 }

// checkKeyColumns fails on a key column of a file whose values are nearly
// all invalid (SPEC §7, policy.max_invalid_key_ratio): a swapped or
// mistyped column, whose people would otherwise silently lose their keys.
func (r *run) checkKeyColumns(in *config.Input, keys map[[2]string]*keyValues) error {
	limit := r.cfg.Policy.MaxInvalidKeyRatio
	for _, at := range sortedKeyPairs(keys) {
		kv := keys[at]
		if kv.given < config.MinValuesForKeyRatio || float64(kv.invalid) <= limit*float64(kv.given) {
			continue
		}
		return exit.With(exit.Input, &schemas.ContractError{Input: in.Name, File: at[0], Column: r.keyColumnName(in, at[1]),
			Reason: fmt.Sprintf("%d of its %d values (%.1f%%) are not valid %s identifiers, more than policy.max_invalid_key_ratio %v: is the column swapped or mistyped?",
				kv.invalid, kv.given, 100*float64(kv.invalid)/float64(kv.given), at[1], limit)})
	}
	return nil
}

// keyColumnName is the column of input in that holds identifier kind:
// an export's mapped column, otherwise the column named after the kind.
func (r *run) keyColumnName(in *config.Input, kind string) string {
	for _, e := range r.cfg.Exports {
		if e.Name == in.Name {
			return e.Identifiers[kind]
		}
	}
	return kind
}

func sortedKeyPairs[V any](m map[[2]string]V) [][2]string {
	out := make([][2]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] || out[i][0] == out[j][0] && out[i][1] < out[j][1] })
	return out
}

func formatCounts(m map[string]int64) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s: %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}

// transform checks the inputs and runs every Transform step, staging the
// outputs (in folders, or in BigQuery's scratch dataset).
func (r *run) transform(ctx context.Context) error {
	phases, _, err := r.prepare(ctx)
	if err != nil {
		return err
	}
	r.log.Info("transform started", "steps", len(phases.Transform))
	step := func(ctx context.Context, s transforms.Step) ([]engine.Row, error) { return nil, r.step(ctx, s) }
	for _, s := range phases.Transform {
		// An output's target is set before runKept: a kept output is copied there.
		if s.Kind == transforms.Output {
			if s.Target, err = r.stage.Target(s); err != nil {
				return err
			}
		}
		if _, err := r.runKept(ctx, s, step); err != nil {
			return err
		}
		if err := r.free(ctx, s.Free); err != nil {
			return err
		}
	}
	if err := r.inputsUnchanged(); err != nil {
		return err
	}
	return r.customersAllWritten()
}

// customersUsed is the customer rows the Validate phase counted used:
// read and not quarantined.
func (r *run) customersUsed() int64 {
	var used int64
	for _, fc := range r.rec.Inputs {
		if fc.Input == r.cfg.Inputs.Customers.Name {
			used += fc.RowsUsed
		}
	}
	return used
}

// customersAllWritten fails the run (exit 1) unless customers_flagged
// wrote one row for each customer row the Validate phase counted used
// (read and not quarantined): SPEC §7's "nothing lost" holds for the
// written table, not only for the counts (the exports check the same,
// jobs/exports.go).
func (r *run) customersAllWritten() error {
	used := r.customersUsed()
	for _, o := range r.rec.Outputs {
		if o.Table == "customers_flagged" && o.Rows != used {
			return exit.With(exit.Failed, fmt.Errorf("customers_flagged: %d rows written, but %d customer rows were read and not quarantined; nothing of %s is published", o.Rows, used, r.dt))
		}
	}
	return nil
}

// free drops the temporary tables no later step reads: DuckDB holds them
// in memory, and the BigQuery emulator holds every table's rows. A
// backfill keeps the tables it reuses on later dates.
func (r *run) free(ctx context.Context, tables []string) error {
	var free []string
	for _, t := range tables {
		if !r.o.tables.kept(t) {
			free = append(free, t)
		}
	}
	if len(free) == 0 {
		return nil
	}
	_, _, err := r.exec(ctx, transforms.FreeStep(r.eng.Dialect(), r.eng.Scratch(), free))
	return err
}

// exec is where a run has the engine run a step, and counts the
// statements the engine ran for it (the runs row's statements): every
// statement of a multi-statement step, none of a step the engine skips;
// a step a backfill keeps from an earlier date does not get here.
func (r *run) exec(ctx context.Context, s transforms.Step) (int64, []engine.Row, error) {
	before := r.eng.Statements()
	n, rows, err := r.eng.Run(ctx, s)
	r.rec.Statements += r.eng.Statements() - before
	return n, rows, err
}

// step runs one Transform step (an Output step into the Target transform
// set) and notes its results.
func (r *run) step(ctx context.Context, s transforms.Step) error {
	rows, err := r.runStep(ctx, s)
	if err != nil {
		return err
	}
	if s.Kind == transforms.Output {
		// The leak check reads an export where it was written.
		if err := r.stage.Written(ctx, s); err != nil {
			return err
		}
	}
	if s.Kind == transforms.Check && s.Export != "" {
		return r.passLeakCheck(ctx, s.Export, rows)
	}
	if s.Name == transforms.HistoryFromStep {
		return r.readHistoryFrom(ctx, rows)
	}
	if s.Name == transforms.CustomersRereadStep {
		if len(rows) != 1 {
			return fmt.Errorf("step %s returned %d rows, want 1", s.Name, len(rows))
		}
		if n := asInt(rows[0]["differing"]); n > 0 {
			return exit.With(exit.Failed, fmt.Errorf("input customers: table %s changed while the run read it: %d customer rows (by customer_id and identifiers) are not the same in the two reads of it, customer_rows and customers_flagged, so flags could go on rows they were not computed for; nothing of %s is published (rerun once the table's writers are done; for a table written to all the time, turn bigquery.read_customers_in_place off)", r.cfg.Inputs.Customers.Table, n, r.dt))
		}
	}
	if s.Name == "ledger_removed" && len(rows) == 1 {
		r.rec.LedgerRemoved = asInt(rows[0]["removed"])
		if r.rec.LedgerRemoved > 0 {
			r.log.Info("requests older than policy.retention_months removed from the ledger", "requests", r.rec.LedgerRemoved, "retention_months", r.cfg.Policy.RetentionMonths)
		}
	}
	if s.Name == "opt_outs_narrowed" && len(rows) == 1 {
		r.warnNarrowed(rows[0])
	}
	if s.Name == "summary" {
		for _, row := range rows {
			cat, n := fmt.Sprint(row["category"]), asInt(row["customers"])
			if cat == "*" {
				r.sum.OptedOut = n
			} else {
				r.sum.ByCategory[cat] = n
			}
		}
	}
	return nil
}

// runStep executes a step with timing and records output row counts.
func (r *run) runStep(ctx context.Context, s transforms.Step) ([]engine.Row, error) {
	t := time.Now()
	n, rows, err := r.exec(ctx, s)
	ms := time.Since(t).Milliseconds()
	r.rec.Steps = append(r.rec.Steps, transforms.StepTime{Step: s.Name, MS: ms})
	if err != nil {
		return nil, r.inputErr(ctx, s, err)
	}
	r.log.Debug("step done", "step", s.Name, "rows", n, "ms", ms)
	switch {
	case s.Kind == transforms.Output:
		r.rec.Outputs = append(r.rec.Outputs, transforms.OutputCount{Table: s.Table, Rows: n})
		switch s.Table {
		case "customers_flagged":
			r.sum.Customers = n
		case "requests_ledger":
		}
	case s.Name == "requests_counted" && len(rows) == 1:
		r.sum.Requests = asInt(rows[0]["requests"])
	}
	r.hook("step:" + s.Name)
	return rows, nil
}

// writeRunsRow writes this run's row, replacing the one its publish
// staged.
func (r *run) writeRunsRow(ctx context.Context, runErr error) error {
	r.rec.Status, r.rec.ExitCode = "succeeded", 0
	if runErr != nil {
		r.rec.Status, r.rec.ExitCode, r.rec.Error = "failed", exit.Code(runErr), redact.String(runErr.Error())
	}
	step, err := r.runsStep()
	if err != nil {
		return err
	}
	return r.eng.RecordRun(ctx, r.id, step)
}

func (r *run) runsStep() (transforms.Step, error) {
	r.rec.DurationMS = time.Since(r.rec.StartedAt).Milliseconds()
	return transforms.RunsStep(r.eng.Dialect(), r.rec)
}

func asInt(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int32:
		return int64(x)
	case int:
		return int64(x)
	case uint64:
		return int64(x)
	case float64:
		return int64(x)
	case *big.Int:
		return x.Int64()
	}
	return 0
}

// inputPlace names where input in is read from: its table, or its path.
func (r *run) inputPlace(in *config.Input) string {
	if in.Table != "" {
		return "table " + in.Table
	}
	return "path " + in.Path
}
