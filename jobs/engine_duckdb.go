//go:build !no_duckdb

package jobs

import (
	"context"

	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/internal/engine"
	"github.com/optout-dev/optout/internal/engine/duckdb"
)

// openDuckDB opens the embedded DuckDB engine.
func openDuckDB(ctx context.Context, cfg config.DuckDB) (engine.Engine, error) {
	return duckdb.Open(ctx, cfg)
}
