//go:build no_duckdb

package open

import (
	"context"
	"errors"

	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/internal/engine"
	"github.com/optout-dev/optout/internal/exit"
)

// openDuckDB fails: this binary was built without DuckDB, for images that
// run the BigQuery engine only.
func openDuckDB(context.Context, *config.Config, Options) (engine.Engine, error) {
	return nil, exit.With(exit.Usage, errors.New("this optout was built without DuckDB (-tags no_duckdb): use a build without that tag for engine: duckdb, gen and bench"))
}
