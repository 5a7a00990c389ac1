package jobs

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/internal/engine"
	"github.com/optout-dev/optout/internal/exit"
	"github.com/optout-dev/optout/transforms"
)

// exportInput is an export's source as an input: its quarantine folder
// carries the export's name.
func exportInput(e *config.Export) *config.Input {
	return &config.Input{Name: e.Name, Path: e.Path, Table: e.Table, Format: "export"}
}

// passLeakCheck fails the run when the export re-read from disk carries a
// suppressed key, and otherwise marks the staged export complete with
// _SUCCESS, its last file. A failed run publishes no export at all.
func (r *run) passLeakCheck(export string, rows []engine.Row) error {
	if len(rows) != 1 {
		return fmt.Errorf("leak check of export %s returned %d rows", export, len(rows))
	}
	n := asInt(rows[0]["leaks"])
	check := transforms.LeakCheck{Export: export, Destination: r.destination(export), Result: "passed", Leaks: n}
	if n > 0 {
		check.Result = "failed"
	}
	r.rec.LeakChecks = append(r.rec.LeakChecks, check)
	if n > 0 {
		return exit.With(exit.Failed, fmt.Errorf("leak check failed for export %s: %d written identifiers belong to opted-out people; no export of %s is published", export, n, r.dt))
	}
	dir, ok := r.exportDirs[export]
	if !ok {
		return fmt.Errorf("leak check of export %s ran before the export was written", export)
	}
	if err := os.WriteFile(filepath.Join(dir, "_SUCCESS"), nil, 0o644); err != nil {
		return err
	}
	r.log.Debug("leak check passed", "export", export)
	return nil
}

func (r *run) destination(export string) string {
	for _, e := range r.cfg.Exports {
		if e.Name == export {
			return e.Destination
		}
	}
	return ""
}
