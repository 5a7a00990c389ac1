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
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/internal/engine"
	bqengine "github.com/optout-dev/optout/internal/engine/bigquery"
	"github.com/optout-dev/optout/internal/exit"
	"github.com/optout-dev/optout/internal/redact"
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
	stage *stage
	hook  testPoint
	rec   transforms.RunRecord
	sum   Summary
	// exportDirs maps each export to its staged folder.
	exportDirs map[string]string
	// historyFiles maps each export history view to its files (DuckDB);
	// historyExports each history table to its export (BigQuery).
	historyFiles   map[string][]string
	historyExports map[string]string
	// firstPublished: when each export's date D was first published, by an
	// earlier run of D (RFC 3339; absent for a first run).
	firstPublished map[string]string
	// bq is the engine on BigQuery (r.eng too); staged its staged outputs.
	bq     *bqengine.Engine
	staged []bqengine.Staged
	// dry: plan only (optout plan): on BigQuery every query is a dry run;
	// DuckDB still reads and checks the inputs.
	dry bool
	// checkOnly: optout validate, the Validate phase only.
	checkOnly bool
	steps     progress
}

func execute(ctx context.Context, o RunOptions, m mode) (Summary, error) {
	start := time.Now()
	if o.Now.IsZero() {
		o.Now = start
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	r := newRun(o, testPoints())
	r.log = o.Log.With("run_id", r.id, "dt", r.dt)
	r.checkOnly = m == modeValidate
	if r.o.OnStep == nil {
		r.o.OnStep = r.logStep
	}
	r.sum = Summary{RunID: r.id, Date: r.dt, Output: r.cfg.Output, ByCategory: map[string]int64{}}
	if r.cfg.Engine == "bigquery" {
		r.sum.Output = "bigquery:" + r.cfg.BigQuery.Project + "." + r.cfg.BigQuery.Dataset
	}
	r.rec = transforms.RunRecord{RunID: r.id, Engine: r.cfg.Engine, Version: o.Version, Date: o.Date, Now: o.Now.UTC(), StartedAt: start.UTC(), Provisional: o.Provisional}
	r.sum.Provisional = o.Provisional

	var err error
	if m == modeValidate {
		err = r.validate(ctx)
	} else if err = dateHasEnded(o, r.cfg.Location); err == nil {
		lin := newLineage(r)
		r.emitLineage(lin, "START")
		err = r.run(ctx)
		if err != nil {
			r.emitLineage(lin, "FAIL")
		} else {
			r.emitLineage(lin, "COMPLETE")
		}
	}
	r.sum.DurationMS = time.Since(start).Milliseconds()
	r.sum.ExitCode = exit.Code(err)
	r.sum.Status = "succeeded"
	if err != nil {
		r.sum.Status = "failed"
		r.sum.Error = redact.String(err.Error())
	}
	r.sum.Steps = r.rec.Steps
	return r.sum, err
}

func newRun(o RunOptions, hook testPoint) *run {
	return &run{o: o, cfg: o.Config, id: newRunID(o.Date), dt: o.Date.Format(time.DateOnly), hook: hook,
		exportDirs: map[string]string{}, historyFiles: map[string][]string{}, historyExports: map[string]string{}, firstPublished: map[string]string{}}
}

func newRunID(d time.Time) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return d.Format("20060102") + "T" + time.Now().UTC().Format("150405") + "-" + hex.EncodeToString(b)
}

// dateHasEnded refuses a run whose now is before D's as-of instant (SPEC
// §2): it cannot see the rest of D, so its outputs would not be D's.
// Asked for as provisional (an intraday run) it goes ahead.
func dateHasEnded(o RunOptions, loc *time.Location) error {
	end := asOf(o.Date, loc)
	if o.Provisional || !o.Now.Before(end) {
		return nil
	}
	// The end is said in UTC: a 7-digit run such as "00 (2026-11-22" would
	// be taken for a phone number by the redactor.
	return exit.With(exit.Usage, fmt.Errorf("%s has not ended in %s: it ends at %s, midnight there, and a run before then would miss the rest of the day; run it after then, or pass --provisional for an intraday run that a later run of the date replaces",
		o.Date.Format(time.DateOnly), loc, end.UTC().Format(time.RFC3339)))
}

// asOf is 00:00 of D+1 in the configured time zone (SPEC §2).
func asOf(d time.Time, loc *time.Location) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc)
}

func (r *run) validate(ctx context.Context) error {
	if err := settleOutput(r.cfg, r.log, false); err != nil {
		return err
	}
	if err := r.open(ctx); err != nil {
		return err
	}
	defer r.close()
	_, _, err := r.prepare(ctx)
	return err
}

func (r *run) run(ctx context.Context) (err error) {
	if r.cfg.Engine == "bigquery" {
		return r.runBigQuery(ctx)
	}
	lk, err := acquireLock(r.cfg.Output, r.cfg.OutputFileMode)
	if err != nil {
		return err
	}
	defer lk.release()
	r.hook("locked")
	if err := finishInterrupted(r.cfg.Output, r.log); err != nil {
		return err
	}
	if err := r.open(ctx); err != nil {
		return err
	}
	defer r.close()
	if r.stage, err = newStage(r.cfg.Output, r.id, r.dt, r.o.Now, r.cfg.OutputFileMode.FileMode); err != nil {
		return err
	}
	defer func() {
		r.stage.discard() // unless committed
		if werr := r.writeRunsRow(ctx, err); werr != nil {
			r.log.Error("could not write the runs row", "error", werr)
			err = errors.Join(err, werr)
		}
		if err == nil && !r.o.NoCatalog {
			refreshCatalog(ctx, r.eng, r.cfg, r.log) // last: its views cover this run's runs row
		}
	}()

	if err := r.transform(ctx); err != nil {
		return err
	}
	r.hook("staged")
	// The runs row goes out with the outputs it describes, so that a
	// process that dies right after the publish still leaves its row
	// (status published; the row written at the end replaces it).
	if err := r.stageRunsRow(ctx); err != nil {
		return err
	}
	if err := privateStage(r.cfg.Output, r.stage.dir, r.stage.publishedFolders(), r.cfg.OutputFileMode); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	if err := r.stage.commit(r.hook); err != nil {
		return exit.With(exit.Failed, err)
	}
	r.log.Info("published", "output", r.cfg.Output)
	if err := r.writeBack(ctx); err != nil {
		return err
	}
	r.hook("written_back")
	return r.applyRetention()
}

func (r *run) open(ctx context.Context) error {
	if r.o.Engine != nil {
		r.eng = r.o.Engine
		return nil
	}
	if r.cfg.Engine == "bigquery" {
		return r.openBigQuery(ctx)
	}
	eng, err := openDuckDB(ctx, r.cfg.DuckDB)
	if err != nil {
		return err
	}
	r.eng = eng
	return nil
}

// close closes the engine the run opened itself.
func (r *run) close() {
	if r.o.Engine == nil {
		r.eng.Close()
	}
}

// prepare loads and checks every input and runs the Validate phase,
// failing on any contract, quarantine, duplicate or freshness violation.
func (r *run) prepare(ctx context.Context) (transforms.Phases, transforms.Plan, error) {
	cfg := r.cfg
	plan := transforms.Plan{P: runParams(cfg, r.o.Date, r.o.Now), StateSLA: stateSLA(cfg), Dialect: r.dialect()}
	if r.bq != nil {
		plan.Scratch = r.bq.Scratch()
	}
	load := func(in *config.Input) (transforms.Source, error) {
		t := time.Now()
		src, files, err := loadInput(ctx, r.eng, in, cfg.Exports)
		if err != nil {
			return src, err
		}
		r.log.Debug("input checked", "input", in.Name, "files", len(files), "ms", time.Since(t).Milliseconds())
		for _, f := range files {
			r.rec.Inputs = append(r.rec.Inputs, transforms.FileCount{Input: in.Name, File: f})
		}
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
		plan.Exports = append(plan.Exports, transforms.Export{Name: e.Name, Destination: e.Destination, Category: e.Category,
			Channel: e.Channel, Mode: e.Mode, Format: e.Format, HashIdentifiers: e.HashIdentifiers, FormulaGuard: e.FormulaGuard(), Identifiers: e.Identifiers, Src: src})
	}
	plan.LeakTestExport = os.Getenv("OPTOUT_TEST_PLANT_LEAK")
	if plan.HasPrevState, plan.HasPrevLedger, plan.HasPrevRuns, err = r.registerPrevious(ctx); err != nil {
		return transforms.Phases{}, plan, err
	}

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
			return phases, plan, exit.With(exit.Input, err)
		}
		if s.Kind == transforms.Check {
			checks[s.Name] = rows
		}
	}
	if r.bq != nil && r.bq.Dry {
		return phases, plan, nil // dry runs: the checks' rows are not computed
	}
	if err := r.checkInputs(checks); err != nil {
		return phases, plan, err
	}
	r.inputsChecked()
	return phases, plan, nil
}

// registerPrevious makes the latest earlier optout_state, the ledger and
// the runs rows so far queryable, when they exist.
func (r *run) registerPrevious(ctx context.Context) (state, ledger, runs bool, err error) {
	if r.bq != nil {
		return r.registerPreviousTables(ctx)
	}
	if dir := latestEarlierPartition(filepath.Join(r.cfg.Output, "optout_state"), r.dt); dir != "" {
		if err := r.eng.Register(ctx, "prev_optout_state", []string{filepath.Join(dir, "part-0.parquet")}); err != nil {
			return false, false, false, err
		}
		state = true
	}
	ledgerFile := filepath.Join(r.cfg.Output, "requests_ledger", "part-0.parquet")
	if _, err := os.Stat(ledgerFile); err == nil {
		if err := r.eng.Register(ctx, "prev_requests_ledger", []string{ledgerFile}); err != nil {
			return false, false, false, err
		}
		ledger = true
	}
	if files, _ := filepath.Glob(filepath.Join(r.cfg.Output, "runs", "*.parquet")); len(files) > 0 {
		if err := r.eng.Register(ctx, "prev_runs", files); err != nil {
			return false, false, false, err
		}
		runs = true
	}
	return state, ledger, runs, nil
}

// latestEarlierPartition returns the folder dt=X of table with the greatest X < dt.
func latestEarlierPartition(table, dt string) string {
	entries, _ := os.ReadDir(table)
	best := ""
	for _, e := range entries {
		d, ok := strings.CutPrefix(e.Name(), "dt=")
		if ok && e.IsDir() && d < dt && d > best {
			best = d
		}
	}
	if best == "" {
		return ""
	}
	return filepath.Join(table, "dt="+best)
}

// checkInputs applies the row accounting of the Validate phase: nothing
// lost, the quarantine ratio, duplicate customers and freshness.
func (r *run) checkInputs(checks map[string][]engine.Row) error {
	if rows := checks["customer_duplicates"]; len(rows) == 1 && asInt(rows[0]["duplicate_ids"]) > 0 {
		return exit.With(exit.Input, fmt.Errorf("input customers: column customer_id: %d customer_id values appear on more than one row (for example %s); customer_id must be unique",
			asInt(rows[0]["duplicate_ids"]), redact.String(fmt.Sprint(rows[0]["example"]))))
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
		keys := map[[2]string]*keyValues{} // (file, kind)
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
		r.sum.Quarantined += quarantined
		if quarantined > 0 {
			r.log.Warn("rows quarantined", "input", in.Name, "rows", quarantined, "reasons", formatCounts(reasons))
		}
		considered := read - later
		if considered > 0 && float64(quarantined)/float64(considered) > r.cfg.Policy.MaxQuarantineRatio {
			problems = append(problems, fmt.Sprintf("input %s: %d of %d rows (%.2f%%) are unusable, more than policy.max_quarantine_ratio %v (%s)",
				in.Name, quarantined, considered, 100*float64(quarantined)/float64(considered), r.cfg.Policy.MaxQuarantineRatio, formatCounts(reasons)))
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

// keyValues counts the values given in one key column of one file and
// the invalid ones among them.
type keyValues struct{ given, invalid int64 }

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
		if s.Kind == transforms.Output && r.bq != nil {
			s.Target = stagedTable(s)
		} else if s.Kind == transforms.Output {
			if s.Target, err = r.outputTarget(s); err != nil {
				return err
			}
		}
		if _, err := r.runKept(ctx, s, step); err != nil {
			return err
		}
		// DuckDB holds temporary tables in memory: free them early. A
		// BigQuery run's scratch dataset goes as a whole at the end.
		var free []string
		for _, t := range s.Free {
			if r.bq == nil && !r.o.tables.kept(t) { // a backfill keeps its reused tables
				free = append(free, t)
			}
		}
		if len(free) > 0 {
			if _, _, err := r.eng.Run(ctx, transforms.FreeStep(free)); err != nil {
				return err
			}
		}
	}
	return nil
}

// step runs one Transform step (an Output step into the Target transform
// set) and notes its results.
func (r *run) step(ctx context.Context, s transforms.Step) error {
	rows, err := r.runStep(ctx, s)
	if err != nil {
		return err
	}
	if s.Kind == transforms.Output && r.bq != nil {
		r.stageOutput(s) // the leak check reads an export where it is staged
	} else if s.WrittenView != "" {
		// The leak check reads the export back from disk, as written.
		if err := r.eng.Register(ctx, s.WrittenView, []string{s.Target}); err != nil {
			return err
		}
		r.exportDirs[s.Export] = filepath.Dir(s.Target)
	}
	if s.Kind == transforms.Check && s.Export != "" {
		return r.passLeakCheck(s.Export, rows)
	}
	if s.Name == transforms.HistoryFromStep {
		return r.readHistoryFrom(ctx, rows)
	}
	if s.Name == "ledger_removed" && len(rows) == 1 {
		r.rec.LedgerRemoved = asInt(rows[0]["removed"])
		if r.rec.LedgerRemoved > 0 {
			r.log.Info("requests older than policy.retention_months removed from the ledger", "requests", r.rec.LedgerRemoved, "retention_months", r.cfg.Policy.RetentionMonths)
		}
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

// outputTarget is the file output step s writes in the staging area.
func (r *run) outputTarget(s transforms.Step) (string, error) {
	rel := s.Table
	if s.PerDate {
		rel = filepath.Join(s.Table, "dt="+r.dt)
	}
	dir, err := r.stage.folder(rel)
	if err != nil {
		return "", err
	}
	name := s.FileName
	if name == "" {
		format := s.Format
		if format == "" {
			format = "parquet"
		}
		name = "part-0." + format
	}
	return filepath.Join(dir, name), nil
}

// dialect is the SQL dialect of the configured engine.
func (r *run) dialect() transforms.Dialect {
	if r.cfg.Engine == "bigquery" {
		return transforms.BigQuery
	}
	return transforms.DuckDB
}

// runStep executes a step with timing and records output row counts.
func (r *run) runStep(ctx context.Context, s transforms.Step) ([]engine.Row, error) {
	t := time.Now()
	n, rows, err := r.eng.Run(ctx, s)
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
	case s.Name == "requests":
		r.sum.Requests = n
	}
	r.hook("step:" + s.Name)
	return rows, nil
}

// writeRunsRow writes this run's row to runs/ (one file per run),
// replacing the one its publish staged.
func (r *run) writeRunsRow(ctx context.Context, runErr error) error {
	r.rec.Status, r.rec.ExitCode = "succeeded", 0
	if runErr != nil {
		r.rec.Status, r.rec.ExitCode, r.rec.Error = "failed", exit.Code(runErr), redact.String(runErr.Error())
	}
	step, err := r.runsStep()
	if err != nil {
		return err
	}
	if r.bq != nil {
		return r.writeRunsRowBigQuery(ctx, step)
	}
	dir, err := mkdirOutput(r.cfg.Output, "runs", r.cfg.OutputFileMode)
	if err != nil {
		return err
	}
	final := filepath.Join(dir, r.id+".parquet")
	step.Target = filepath.Join(r.cfg.Output, internalDir, r.id+".runs.parquet")
	if _, _, err := r.eng.Run(ctx, step); err != nil {
		return err
	}
	if err := os.Chmod(step.Target, r.cfg.OutputFileMode.FileMode); err != nil {
		return err
	}
	return os.Rename(step.Target, final)
}

// stageRunsRow stages the row of a run whose outputs are about to be
// published, with status published.
func (r *run) stageRunsRow(ctx context.Context) error {
	r.rec.Status, r.rec.ExitCode = "published", 0
	step, err := r.runsStep()
	if err != nil {
		return err
	}
	if step.Target, err = r.stage.file(filepath.Join("runs", r.id+".parquet")); err != nil {
		return err
	}
	_, _, err = r.eng.Run(ctx, step)
	return err
}

func (r *run) runsStep() (transforms.Step, error) {
	r.rec.DurationMS = time.Since(r.rec.StartedAt).Milliseconds()
	return transforms.RunsStep(r.dialect(), r.rec)
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
