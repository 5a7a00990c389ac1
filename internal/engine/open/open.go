// Package open opens the engine a config names: the one place that knows
// both engines; everything above it drives engine.Engine.
package open

import (
	"context"
	"log/slog"

	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/internal/engine"
	"github.com/optout-dev/optout/internal/engine/bigquery"
)

// Options are what a run tells the engine it opens.
type Options struct {
	RunID, Date string
	// Dry plans instead of running (optout plan): on BigQuery every query
	// is a dry run; DuckDB has nothing to bill and runs as usual.
	Dry bool
	// KeepScratch leaves BigQuery's scratch dataset for inspection.
	KeepScratch bool
	Log         *slog.Logger
	At          engine.TestPoint // nil: none
	// ProfileDir: DuckDB writes each step's query profile there (tests
	// and benchmarks only; testpoint.ProfileDir).
	ProfileDir string
}

// Engine opens the engine cfg.Engine names.
func Engine(ctx context.Context, cfg *config.Config, o Options) (engine.Engine, error) {
	if o.At == nil {
		o.At = func(string) error { return nil }
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Engine == "bigquery" {
		return bigquery.OpenWarehouse(ctx, cfg, o.RunID, o.Date, o.Dry, o.KeepScratch, o.At)
	}
	return openDuckDB(ctx, cfg, o)
}
