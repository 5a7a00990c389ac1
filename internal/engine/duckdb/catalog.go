package duckdb

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/optout-dev/optout/internal/engine"
	"github.com/optout-dev/optout/transforms"
)

// catalogTables are the output tables the analysts' catalog exposes, with
// the files each view reads (relative to the output folder).
func catalogTables() map[string]string {
	t := map[string]string{
		"requests_ledger":           "requests_ledger/*.parquet",
		"requests_ledger_removed":   "requests_ledger_removed/*.parquet",
		"runs":                      "runs/*.parquet",
		"customers_flagged":         "customers_flagged/*/*.parquet",
		"optout_state":              "optout_state/*/*.parquet",
		"flag_changes":              "flag_changes/*/*.parquet",
		"quarantine":                "quarantine/*/*/*.parquet",
		"export_report":             "export_report/*/*.parquet",
		"third_party_notifications": "third_party_notifications/*/*.parquet",
	}
	for _, m := range transforms.MetricTables {
		t["metrics_"+m] = "metrics/" + m + "/*/*.parquet"
	}
	return t
}

// refreshCatalog (re)creates one view per output table, with its dt
// column, so an analyst opens one file and queries every output by name.
// A catalog that cannot be written (an analyst holds the file) is an
// error the caller logs, not fatal: the outputs are already published.
//
// Without duckdb.database the catalog is output/optout.duckdb. Its views
// sit in the file's main schema, not in a schema optout: the file's own
// catalog is named optout, and a schema of that name made optout.runs an
// "ambiguous reference". They read paths relative to the output folder,
// so the folder can be moved or copied whole; DuckDB resolves such paths
// against its file_search_path, else the working directory, so an analyst
// opens the file from the output folder (docs/tables.md).
//
// With duckdb.database the views go in schema optout of that database
// (never clobbering a warehouse table of the same name) and read absolute
// paths: the warehouse does not move with the output folder. Every run
// rewrites them, so they follow the output folder if it moves.
func (w *Warehouse) Catalog(ctx context.Context) (err error) {
	cfg := w.cfg
	// Each statement with the one that undoes it once the catalog is written.
	type stmt struct{ do, undo string }
	db, schema, root := cfg.DuckDB.Database, "optout", cfg.Output
	stmts := []stmt{{do: "CREATE SCHEMA IF NOT EXISTS optout"}}
	if db == "" {
		db = filepath.Join(cfg.Output, "optout.duckdb")
		schema = "optout_catalog.main"
		stmts = []stmt{
			{do: "ATTACH " + transforms.Literal(db) + " AS optout_catalog", undo: "DETACH optout_catalog"},
			// where the views were before: its name made them ambiguous
			{do: "DROP SCHEMA IF EXISTS optout_catalog.optout CASCADE"},
		}
		// A view is bound when it is created, so the relative paths must
		// resolve now: against the output folder. file_search_path is a
		// comma-separated list, so a folder with a comma keeps absolute paths.
		if !strings.Contains(cfg.Output, ",") {
			root = ""
			stmts = append(stmts, stmt{do: "SET file_search_path = " + transforms.Literal(cfg.Output), undo: "RESET file_search_path"})
		}
	}
	for name, glob := range catalogTables() {
		files, _ := filepath.Glob(filepath.Join(cfg.Output, glob))
		if len(files) == 0 {
			continue
		}
		src := transforms.Literal(filepath.Join(root, glob))
		view := fmt.Sprintf("SELECT * FROM read_parquet(%s, union_by_name = true)", src)
		if strings.Contains(glob, "/*/") {
			// dt from the folder name (DuckDB 1.5's hive_partitioning fails
			// on max(dt) over these files, an internal error); it replaces
			// an input's own dt column in the quarantine view. The export's
			// date of a notification, its rows' own dt, is export_dt, as
			// on BigQuery.
			own := ""
			if col := engine.OwnDate(name); col != "" {
				own = "dt AS " + transforms.Ident(col) + ", "
			}
			view = fmt.Sprintf("SELECT COLUMNS(c -> c NOT IN ('filename', 'dt')), %sCAST(regexp_extract(filename, 'dt=([0-9]{4}-[0-9]{2}-[0-9]{2})', 1) AS DATE) AS dt FROM read_parquet(%s, union_by_name = true, filename = true, hive_partitioning = false)", own, src)
		}
		stmts = append(stmts, stmt{do: fmt.Sprintf("CREATE OR REPLACE VIEW %s.%s AS %s", schema, transforms.Ident(name), view)})
	}
	run := func(sql string) error {
		_, _, err := w.Run(ctx, transforms.Step{Name: "catalog", Kind: transforms.Setup, SQL: sql})
		return err
	}
	var undo []string
	defer func() {
		for _, s := range undo {
			if uerr := run(s); uerr != nil {
				err = errors.Join(err, fmt.Errorf("close the analysts' catalog %s: %w", db, uerr))
			}
		}
	}()
	for _, s := range stmts {
		if err := run(s.do); err != nil {
			return fmt.Errorf("refresh the analysts' catalog %s: %w", db, err)
		}
		if s.undo != "" {
			undo = append([]string{s.undo}, undo...)
		}
	}
	if err := w.out.PrivateFile(db); err != nil {
		return fmt.Errorf("set the analysts' catalog's mode %s: %w", db, err)
	}
	return nil
}
