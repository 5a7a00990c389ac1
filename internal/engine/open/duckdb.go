//go:build !no_duckdb

package open

import (
	"context"

	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/internal/engine"
	"github.com/optout-dev/optout/internal/engine/duckdb"
)

// openDuckDB opens the embedded DuckDB engine over the output folder.
func openDuckDB(ctx context.Context, cfg *config.Config, o Options) (engine.Engine, error) {
	w, err := duckdb.OpenWarehouse(ctx, cfg, o.Log, o.At)
	if err != nil {
		return nil, err
	}
	w.ProfileDir = o.ProfileDir
	return w, nil
}
