package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"

	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/internal/engine"
	"github.com/optout-dev/optout/internal/exit"
	"github.com/optout-dev/optout/internal/report"
	"github.com/optout-dev/optout/transforms"
)

// ReportOptions are the inputs of `optout report`.
type ReportOptions struct {
	Config *config.Config
	Date   string       // YYYY-MM-DD
	Out    string       // the HTML file; empty: <output>/report/dt=D/dashboard.html
	Log    *slog.Logger // may be nil
}

// Report renders the dashboard of D from the metrics a run for D published
// and returns the path it wrote.
func Report(ctx context.Context, o ReportOptions) (string, error) {
	cfg := o.Config
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if err := settleOutput(cfg, o.Log, false); err != nil {
		return "", err
	}
	eng, err := openDuckDB(ctx, cfg.DuckDB)
	if err != nil {
		return "", err
	}
	defer eng.Close()

	present := map[string]bool{}
	register := func(view, dir string, required bool) error {
		files, _ := filepath.Glob(filepath.Join(dir, "*.parquet"))
		if len(files) == 0 {
			if !required {
				return nil
			}
			return exit.With(exit.Failed, fmt.Errorf("no %s for %s under %s: run `optout run --date %s` first", view, o.Date, cfg.Output, o.Date))
		}
		present[view] = true
		return eng.Register(ctx, view, files)
	}
	for _, m := range transforms.MetricTables {
		if err := register("metrics_"+m, filepath.Join(cfg.Output, "metrics", m, "dt="+o.Date), m != "sync"); err != nil {
			return "", err
		}
	}
	if err := register("requests_ledger", filepath.Join(cfg.Output, "requests_ledger"), true); err != nil {
		return "", err
	}
	if err := register("third_party_notifications", filepath.Join(cfg.Output, "third_party_notifications", "dt="+o.Date), false); err != nil {
		return "", err
	}

	q := func(name string) ([]engine.Row, error) {
		s, err := transforms.ReportStep(name)
		if err != nil {
			return nil, err
		}
		_, rows, err := eng.Run(ctx, s)
		return rows, err
	}
	d := report.Data{Date: o.Date, TargetDays: cfg.Policy.TargetBusinessDays, SLADays: cfg.Policy.SLABusinessDays}
	queries := []struct {
		name string
		row  func(engine.Row)
	}{
		{"monthly", func(r engine.Row) {
			d.Monthly = append(d.Monthly, report.Monthly{Month: str(r["month"]), Requests: asInt(r["requests"]), OptOuts: asInt(r["opt_outs"]), OptIn: asInt(r["opt_ins"])})
		}},
		{"rate", func(r engine.Row) {
			sr := report.SourceRate{Source: str(r["traffic_source"]), OptOuts: asInt(r["opt_outs"]), Denominator: asInt(r["denominator"])}
			if sr.Denominator > 0 {
				sr.Rate = float64(sr.OptOuts) / float64(sr.Denominator)
			}
			d.RateBySource = append(d.RateBySource, sr)
		}},
		{"processing", func(r engine.Row) {
			d.Processing = append(d.Processing, report.Processing{Month: str(r["month"]), Processed: asInt(r["processed"]),
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
		{"actionable", func(r engine.Row) {
			d.Actionable = append(d.Actionable, report.Actionable{RequestID: str(r["request_id"]), Received: str(r["received"]),
				Deadline: str(r["deadline"]), State: str(r["state"]), Status: str(r["sla_status"])})
		}},
		{"annual", func(r engine.Row) {
			d.Annual = append(d.Annual, report.Annual{Year: asInt(r["year"]), Received: asInt(r["received"]), Complied: asInt(r["complied"]),
				Denied: asInt(r["denied"]), Pending: asInt(r["pending"]), MeanDays: asFloat(r["mean_days"]), MedianDays: asFloat(r["median_days"])})
		}},
		{"totals", func(r engine.Row) {
			d.Requests, d.OptOuts, d.Breached, d.OpenPastDue = asInt(r["requests"]), asInt(r["opt_outs"]), asInt(r["breached"]), asInt(r["open_past_due"])
			d.AvgBusinessDays, d.Reauthorizations, d.ThirdPartyNotices = asFloat(r["avg_business_days"]), asInt(r["reauthorizations"]), asInt(r["notices"])
		}},
	}
	if present["metrics_sync"] {
		queries = append(queries, struct {
			name string
			row  func(engine.Row)
		}{"sync", func(r engine.Row) {
			s := report.Sync{Export: str(r["export"]), Destination: str(r["destination"]), RowsIn: asInt(r["rows_in"]),
				Suppressed: asInt(r["rows_suppressed"]), Checks: asInt(r["dates_checked"]), Failures: asInt(r["dates_failed"]),
				FailureRate: asFloat(r["failure_rate"])}
			d.Sync = append(d.Sync, s)
			d.LeakChecks += s.Checks
			d.LeakFailed += s.Failures
		}})
	}
	if !present["third_party_notifications"] {
		empty := transforms.Step{Name: "no_notifications", Kind: transforms.Setup, SQL: "CREATE TEMP VIEW third_party_notifications AS SELECT NULL AS request_id WHERE false"}
		if _, _, err := eng.Run(ctx, empty); err != nil {
			return "", err
		}
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
	for i, g := range d.Geography {
		if total > 0 {
			d.Geography[i].Share = float64(g.Requests) / float64(total)
			if g.Label == "CA" {
				d.CaliforniaShare = d.Geography[i].Share
			}
		}
	}

	out := o.Out
	if out == "" {
		out = filepath.Join(cfg.Output, "report", "dt="+o.Date, "dashboard.html")
	}
	mode := os.FileMode(0o644) // a dashboard put outside output is the operator's to share
	if rel, ok := outputRel(cfg.Output, filepath.Dir(out)); ok {
		if _, err := mkdirOutput(cfg.Output, rel, cfg.OutputFileMode); err != nil {
			return "", err
		}
		mode = cfg.OutputFileMode.FileMode
	}
	return out, writeAtomically(out, mode, func(f *os.File) error { return report.Render(f, d) })
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
