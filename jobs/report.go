package jobs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/internal/engine"
	"github.com/optout-dev/optout/internal/engine/files"
	"github.com/optout-dev/optout/internal/engine/open"
	"github.com/optout-dev/optout/internal/exit"
	"github.com/optout-dev/optout/internal/report"
	"github.com/optout-dev/optout/transforms"
)

// ReportOptions are the inputs of `optout report`.
type ReportOptions struct {
	Config    *config.Config
	Date      string       // YYYY-MM-DD
	Out       string       // the HTML file; empty: see dashboardPath
	Log       *slog.Logger // may be nil
	Generated time.Time    // when the page says it was made; zero: now
	// KeepScratch leaves BigQuery's scratch dataset (the copies of the
	// published tables) for inspection, as RunOptions.KeepScratch.
	KeepScratch bool
}

// Report renders the dashboard of D from the metrics a run for D published,
// the ledger and the runs, and returns the path it wrote.
func Report(ctx context.Context, o ReportOptions) (string, error) {
	cfg := o.Config
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Generated.IsZero() {
		o.Generated = time.Now()
	}
	day, err := time.Parse(time.DateOnly, o.Date)
	if err != nil {
		return "", exit.With(exit.Usage, fmt.Errorf("--date %q: want YYYY-MM-DD", o.Date))
	}
	loc, err := time.LoadLocation(cfg.Timezone)
	if err != nil {
		return "", exit.With(exit.Usage, fmt.Errorf("timezone %q: %w", cfg.Timezone, err))
	}
	out, mode := dashboardPath(cfg, o.Date, o.Out)
	if o.Out != "" {
		if err := checkDashboardOut(cfg, out); err != nil {
			return "", exit.With(exit.Usage, err)
		}
	}
	eng, err := open.Engine(ctx, cfg, open.Options{RunID: newRunID(day), Date: o.Date, Log: o.Log, KeepScratch: o.KeepScratch})
	if err != nil {
		return "", err
	}
	defer eng.Close()
	if err := eng.Settle(ctx, false); err != nil {
		return "", err
	}

	present := map[string]bool{}
	for _, tb := range transforms.ReportTables() {
		dt := ""
		if tb.PerDate {
			dt = o.Date
		}
		ok, err := eng.ReadPublished(ctx, tb.View, tb.Table, dt)
		if err != nil {
			return "", err
		}
		if !ok && tb.Required {
			return "", exit.With(exit.Failed, fmt.Errorf("no %s for %s in %s: run `optout run --date %s` first", tb.View, o.Date, eng.Where(), o.Date))
		}
		present[tb.View] = ok
	}

	p := transforms.ReportParams{Date: day, TimeZone: cfg.Timezone, Notices: present["third_party_notifications"]}
	if p.Published, err = hasColumn(ctx, eng, "runs", "published"); err != nil {
		return "", err
	}
	q := func(name string) ([]engine.Row, error) {
		s, err := transforms.ReportStep(eng.Dialect(), eng.Scratch(), name, p)
		if err != nil {
			return nil, err
		}
		_, rows, err := eng.Run(ctx, s)
		return rows, err
	}
	d := report.Data{Date: o.Date, Location: loc, Generated: o.Generated, TargetDays: cfg.Policy.TargetBusinessDays, SLADays: cfg.Policy.SLABusinessDays}
	d.StateSLA = cfg.Policy.StateSLABusinessDays

	// The run first: the open requests' days left count from its now.
	runs, err := q("run")
	if err != nil {
		return "", err
	}
	if len(runs) == 0 {
		return "", exit.With(exit.Failed, fmt.Errorf("no run for %s in %s published its outputs: run `optout run --date %s` first", o.Date, eng.Where(), o.Date))
	}
	r := runs[0]
	d.Run = report.Run{ID: str(r["run_id"]), Version: str(r["version"]), Now: asTime(r["now"]), Provisional: r["provisional"] == true,
		LedgerID: str(r["ledger_run_id"]), LedgerDate: str(r["ledger_dt"]), LedgerNow: asTime(r["ledger_now"]),
		Quarantined: asInt(r["quarantined"])}
	p.Today = civilDay(d.Run.LedgerNow, loc)

	queries := []struct {
		name string
		row  func(engine.Row)
	}{
		{"headline", func(r engine.Row) {
			m := report.MonthFigures{Month: str(r["month"]), Received: asInt(r["received"]), Completed: asInt(r["completed"]),
				WithinSLA: asInt(r["within_sla"]), Breached: asInt(r["breached"]),
				WithinSLAShare: optFloat(r["within_sla_share"]), MedianDays: optFloat(r["median_business_days"])}
			if str(r["which"]) == "this" {
				d.ThisMonth = m
			} else {
				d.LastMonth = m
			}
		}},
		{"monthly", func(r engine.Row) {
			d.Monthly = append(d.Monthly, report.Monthly{Month: str(r["month"]), Requests: asInt(r["requests"]), OptOuts: asInt(r["opt_outs"]), OptIn: asInt(r["opt_ins"])})
		}},
		{"rate", func(r engine.Row) {
			sr := report.SourceRate{Source: str(r["traffic_source"]), OptOuts: asInt(r["opt_outs"]), Rate: optFloat(r["rate"])}
			if r["denominator"] != nil {
				n := asInt(r["denominator"])
				sr.Denominator = &n
			}
			d.RateBySource = append(d.RateBySource, sr)
		}},
		{"processing", func(r engine.Row) {
			d.Processing = append(d.Processing, report.Processing{Month: str(r["month"]), Requests: asInt(r["requests"]), Processed: asInt(r["processed"]),
				Avg: asFloat(r["avg_business_days"]), P50: asFloat(r["p50_business_days"]), P95: asFloat(r["p95_business_days"]),
				WithinTarget: asInt(r["within_target"]), WithinSLA: asInt(r["within_sla"]), Breached: asInt(r["breached"]),
				Open: asInt(r["open"]), OpenPastDue: asInt(r["open_past_deadline"])})
		}},
		{"categories", func(r engine.Row) {
			d.Categories = append(d.Categories, report.Count{Label: str(r["label"]), Requests: asInt(r["requests"])})
		}},
		{"geography", func(r engine.Row) {
			d.Geography = append(d.Geography, report.Count{Label: str(r["label"]), Requests: asInt(r["requests"])})
		}},
		{"open", func(r engine.Row) {
			d.Open = append(d.Open, report.OpenRequest{RequestID: str(r["request_id"]), Received: str(r["received"]),
				Deadline: str(r["deadline"]), DaysLeft: asInt(r["days_left"]), State: str(r["state"]), Status: str(r["sla_status"])})
		}},
		{"annual", func(r engine.Row) {
			d.Annual = append(d.Annual, report.Annual{Year: asInt(r["year"]), Received: asInt(r["received"]), Complied: asInt(r["complied"]),
				Denied: asInt(r["denied"]), Pending: asInt(r["pending"]), MeanDays: optFloat(r["mean_days"]), MedianDays: optFloat(r["median_days"])})
		}},
		{"totals", func(r engine.Row) {
			d.OpenTotal, d.OpenPastDue = asInt(r["open"]), asInt(r["open_past_deadline"])
			d.Reauthorizations, d.ThirdPartyNotices = asInt(r["reauthorizations"]), asInt(r["notices"])
		}},
	}
	if present["metrics_sync"] {
		queries = append(queries, struct {
			name string
			row  func(engine.Row)
		}{"sync", func(r engine.Row) {
			s := report.Sync{Export: str(r["export"]), Destination: str(r["destination"]), RowsIn: asInt(r["rows_in"]),
				Suppressed: asInt(r["rows_suppressed"]), SuppressedShare: optFloat(r["suppressed_share"]),
				Checks: asInt(r["dates_checked"]), Failures: asInt(r["dates_failed"]), FailureRate: asFloat(r["failure_rate"])}
			d.Sync = append(d.Sync, s)
			d.LeakChecks += s.Checks
			d.LeakFailed += s.Failures
		}})
	}
	for _, qu := range queries {
		rows, err := q(qu.name)
		if err != nil {
			return "", err
		}
		for _, r := range rows {
			qu.row(r)
		}
	}
	var total int64
	for _, g := range d.Geography {
		total += g.Requests
	}
	if total > 0 {
		// A share of no requests is no figure (n/a), not 0 %.
		ca := 0.0
		for i, g := range d.Geography {
			d.Geography[i].Share = float64(g.Requests) / float64(total)
			if g.Label == "CA" {
				ca = d.Geography[i].Share
			}
		}
		d.CaliforniaShare = &ca
	}

	if rel, ok := files.Rel(cfg.Output, filepath.Dir(out)); ok && cfg.Output != "" {
		if _, err := (&files.Output{Dir: cfg.Output, Mode: cfg.OutputFileMode}).Mkdir(rel); err != nil {
			return "", err
		}
	}
	return out, writeAtomically(out, mode, func(f *os.File) error { return report.Render(f, d) })
}

// dashboardPath is where the dashboard goes, as an absolute path, and its
// file mode: out, or report/dt=D/dashboard.html under the output folder,
// or under the working directory without one (engine bigquery: see
// docs/decisions.md). The default place and any place inside the output
// folder take output_file_mode; a page put elsewhere is the operator's to
// share (0644).
func dashboardPath(cfg *config.Config, date, out string) (string, os.FileMode) {
	mode := os.FileMode(0o644)
	if out == "" {
		out = filepath.Join(cfg.Output, "report", "dt="+date, "dashboard.html")
		mode = cfg.OutputFileMode.FileMode
	}
	if abs, err := filepath.Abs(out); err == nil {
		out = abs
	}
	if _, ok := files.Rel(cfg.Output, filepath.Dir(out)); ok && cfg.Output != "" {
		mode = cfg.OutputFileMode.FileMode
	}
	return out, mode
}

// dashboardTitle begins the title of every dashboard optout renders
// (internal/report's template); an existing file without it in its first
// kilobyte is not one.
const dashboardTitle = "<title>Do Not Sell or Share — compliance dashboard"

// checkDashboardOut refuses an --out that the config says is not the
// dashboard's to take (Config.CheckDashboardPath), and an existing file
// that is not an optout dashboard: report replaces only its own pages.
func checkDashboardOut(cfg *config.Config, out string) error {
	if err := cfg.CheckDashboardPath(out); err != nil {
		return err
	}
	f, err := os.Open(out)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("--out %s: %w", out, err)
	}
	defer f.Close()
	head := make([]byte, 1024)
	n, _ := io.ReadFull(f, head)
	if !bytes.Contains(head[:n], []byte(dashboardTitle)) {
		return fmt.Errorf("--out %s exists and is not an optout dashboard: report replaces only its own pages; remove the file or choose another", out)
	}
	return nil
}

// writeAtomically writes path, with mode, through a temporary file in its
// folder, so a reader never sees half a file.
func writeAtomically(path string, mode os.FileMode, write func(*os.File) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path))
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(f.Name(), mode); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

func str(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// optFloat is v as a number, or nil for SQL NULL (a figure that does not
// exist, shown as n/a rather than 0).
func optFloat(v any) *float64 {
	if v == nil {
		return nil
	}
	f := asFloat(v)
	return &f
}

// civilDay is the date of t in loc, as the midnight UTC that date params
// take.
func civilDay(t time.Time, loc *time.Location) time.Time {
	y, m, dd := t.In(loc).Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
}

// asTime is v as a time, or the zero time.
func asTime(v any) time.Time {
	t, _ := v.(time.Time)
	return t
}

func asFloat(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case float32:
		return float64(x)
	case *big.Int:
		f, _ := new(big.Float).SetInt(x).Float64()
		return f
	}
	return float64(asInt(v))
}
