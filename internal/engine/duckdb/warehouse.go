package duckdb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/internal/engine"
	"github.com/optout-dev/optout/internal/engine/files"
	"github.com/optout-dev/optout/schemas"
	"github.com/optout-dev/optout/transforms"
)

// Warehouse is the DuckDB engine with its output folder: the steps run in
// DuckDB, the outputs are Parquet and CSV files published by renaming
// staged folders into place under a publish journal (package files).
type Warehouse struct {
	*Engine
	out *files.Output
	cfg *config.Config
}

var _ engine.Engine = (*Warehouse)(nil)

// OpenWarehouse opens DuckDB for a run over cfg's output folder; at is the
// run's test hook (never nil).
func OpenWarehouse(ctx context.Context, cfg *config.Config, log *slog.Logger, at engine.TestPoint) (*Warehouse, error) {
	e, err := Open(ctx, cfg.DuckDB)
	if err != nil {
		return nil, err
	}
	if err := e.CheckLocalTime(ctx, cfg.Timezone); err != nil {
		e.Close()
		return nil, err
	}
	return &Warehouse{Engine: e, cfg: cfg, out: &files.Output{Dir: cfg.Output, Mode: cfg.OutputFileMode, Log: log, At: at}}, nil
}

// Where is the output folder.
func (w *Warehouse) Where() string { return w.cfg.Output }

// OutputDataset names an output folder; a folder run has no
// export_manifest table (each export's _SUCCESS is its manifest).
func (w *Warehouse) OutputDataset(table string) (string, string, bool) {
	return "file", filepath.Join(w.cfg.Output, table), table != "export_manifest"
}

// TableDataset names a table of the configured DuckDB database.
func (w *Warehouse) TableDataset(table string) (string, string) {
	return "duckdb://" + w.cfg.DuckDB.Database, table
}

func (w *Warehouse) Settle(_ context.Context, writer bool) error { return w.out.Settle(writer) }

func (w *Warehouse) Lock(context.Context, string) (func() error, error) { return w.out.Lock() }

func (w *Warehouse) Partitions(_ context.Context, table string) ([]string, error) {
	return w.out.Partitions(table), nil
}

func (w *Warehouse) Tables(_ context.Context, group string) ([]string, error) {
	return w.out.Tables(group), nil
}

func (w *Warehouse) DropPartitions(_ context.Context, table string, dates []string) error {
	return w.out.DropPartitions(table, dates)
}

func (w *Warehouse) Estimates() []engine.Estimate { return nil }

// ReadPublished registers the Parquet files of table's folder dt=D, or
// when dt is "" of the table's own folder or, for a per-date table, of
// every dt= folder (dt is then a column, from the folder's name).
func (w *Warehouse) ReadPublished(ctx context.Context, view, table, dt string) (bool, error) {
	dir := filepath.Join(w.cfg.Output, table)
	if dt != "" {
		dir = filepath.Join(dir, "dt="+dt)
	}
	found, _ := filepath.Glob(filepath.Join(dir, "*.parquet"))
	if len(found) == 0 && dt == "" {
		found, _ = filepath.Glob(filepath.Join(dir, "dt=*", "*.parquet"))
	}
	if len(found) == 0 {
		return false, nil
	}
	if own := engine.OwnDate(table); own != "" {
		return true, w.registerOwnDate(ctx, view, found, own)
	}
	return true, w.Register(ctx, view, found)
}

// registerOwnDate registers the files of a per-date table whose rows may
// carry a dt column of their own: it is read as column own, and dt is the
// folder's date, as on BigQuery. (Register reads the folder's dt=, and
// DuckDB's hive partitioning then overrides the file's own column; a
// RENAME of a column the files lack does nothing.)
func (w *Warehouse) registerOwnDate(ctx context.Context, view string, files []string, own string) error {
	lits := make([]string, len(files))
	for i, f := range files {
		lits[i] = transforms.Literal(f)
	}
	q := fmt.Sprintf(`CREATE OR REPLACE TEMP VIEW %s AS
SELECT * EXCLUDE (filename) RENAME (dt AS %s), CAST(regexp_extract(filename, 'dt=([0-9]{4}-[0-9]{2}-[0-9]{2})', 1) AS DATE) AS dt
FROM read_parquet([%s], hive_partitioning = false, union_by_name = true, filename = true)`,
		transforms.Ident(view), transforms.Ident(own), strings.Join(lits, ", "))
	delete(w.views, view) // Register's record of the view it made
	_, _, err := w.Run(ctx, transforms.Step{Name: "read_published_" + view, Kind: transforms.Setup, SQL: q})
	return err
}

// RecordRun writes the runs row to runs/<run>.parquet through a file in
// optout's own folder, renamed into place.
func (w *Warehouse) RecordRun(ctx context.Context, runID string, step transforms.Step) error {
	dir, err := w.out.Mkdir("runs")
	if err != nil {
		return err
	}
	step.Target = w.out.InternalFile(runID + ".runs.parquet")
	if _, _, err := w.Run(ctx, step); err != nil {
		return err
	}
	if err := os.Chmod(step.Target, w.cfg.OutputFileMode.FileMode); err != nil {
		return err
	}
	return os.Rename(step.Target, filepath.Join(dir, runID+".parquet"))
}

// flagTypes are the types write-back gives the flag columns (SPEC §5 rule 3).
var flagTypes = map[string]string{"ccpa_opt_out": "BOOLEAN", "opt_out_date": "TIMESTAMP WITH TIME ZONE", "opt_out_categories": "VARCHAR[]"}

// FlagTypes are the types write-back gives the flag columns.
func (w *Warehouse) FlagTypes() map[string]string { return flagTypes }

// CheckWriteBack refuses a customers table (with columns fields) the
// write-back could not update: one that another table's foreign key
// references, or whose flag columns cannot take the written values. DuckDB
// updates a referenced table's rows as a delete and an insert, which the
// key forbids ("Violates foreign key constraint"), so the write-back
// failed after every publish, night after night, and the flags never
// reached the table. Checked with the inputs, before anything is written.
// (DuckDB's foreign keys reference a table of their own schema.)
func (w *Warehouse) CheckWriteBack(ctx context.Context, table string, fields []schemas.Field) error {
	// Where the name puts the table, as DuckDB resolves it: name alone in
	// the default database's main schema; a.name in schema a of the
	// default database, or in main of database a; db.schema.name there.
	parts := strings.Split(table, ".")
	name, first, second := parts[len(parts)-1], "", ""
	switch len(parts) {
	case 2:
		first = parts[0]
	case 3:
		first, second = parts[0], parts[1]
	}
	where := `CASE ?
    WHEN 1 THEN database_name = current_database() AND schema_name = 'main'
    WHEN 2 THEN database_name = current_database() AND lower(schema_name) = lower(?)
             OR lower(database_name) = lower(?) AND schema_name = 'main'
    ELSE lower(database_name) = lower(?) AND lower(schema_name) = lower(?)
  END`
	at := []any{len(parts), first, first, first, second}
	rows, err := w.Query(ctx, `SELECT database_name || '.' || schema_name || '.' || table_name AS referencing
FROM duckdb_constraints()
WHERE constraint_type = 'FOREIGN KEY' AND lower(referenced_table) = lower(?) AND `+where+`
ORDER BY 1 LIMIT 1`, append([]any{name}, at...)...)
	if err != nil {
		return err
	}
	if len(rows) > 0 {
		return fmt.Errorf("table %s is referenced by a foreign key of table %v, and DuckDB cannot update the rows of a table a foreign key references: the write-back would fail after every publish. Drop the foreign key, or set write_back: false and join the flags from customers_flagged", table, rows[0]["referencing"])
	}
	// A flag column the table already has must take every value the
	// write-back writes: false and true, a NULL opt_out_date, an empty
	// list. A NOT NULL or CHECK constraint on one (the write-back cannot
	// know what a CHECK allows), or a generated column, failed the
	// write-back after every publish while validate passed.
	flags := make([]string, len(transforms.CustomerFlagColumns))
	for i, f := range transforms.CustomerFlagColumns {
		flags[i] = transforms.Literal(f)
	}
	rows, err = w.Query(ctx, `SELECT constraint_type, flag FROM (
  SELECT constraint_type, list_filter(constraint_column_names, c -> lower(c) IN (`+strings.Join(flags, ", ")+`))[1] AS flag
  FROM duckdb_constraints()
  WHERE constraint_type IN ('NOT NULL', 'CHECK') AND lower(table_name) = lower(?) AND `+where+`
)
WHERE flag IS NOT NULL AND NOT (constraint_type = 'NOT NULL' AND lower(flag) <> 'opt_out_date') -- only opt_out_date is written NULL
ORDER BY 2, 1 LIMIT 1`, append([]any{name}, at...)...)
	if err != nil {
		return err
	}
	if len(rows) > 0 {
		return fmt.Errorf("column %v of table %s has a %v constraint, which the write-back's values (true or false, a NULL opt_out_date when not opted out, an empty list) may break: it would fail after every publish. Drop the constraint, or set write_back: false and join the flags from customers_flagged", rows[0]["flag"], table, rows[0]["constraint_type"])
	}
	var set []string
	for _, flag := range transforms.CustomerFlagColumns {
		if f, ok := schemas.Find(fields, flag); ok {
			set = append(set, transforms.Ident(f.Name)+" = "+transforms.Ident(f.Name))
		}
	}
	if len(set) > 0 { // bound, not run: a generated column cannot be set
		if _, err := w.Query(ctx, "EXPLAIN UPDATE "+transforms.DuckDB.QualifiedName(table)+" SET "+strings.Join(set, ", ")+" WHERE false"); err != nil {
			return fmt.Errorf("table %s: its flag columns cannot be updated (%v): the write-back would fail after every publish. Make them plain columns, or set write_back: false and join the flags from customers_flagged", table, err)
		}
	}
	return nil
}

// WriteBackSteps are the statements WriteBack runs in its transaction
// (also what a plan prints), after checking the table's flag columns.
func (w *Warehouse) WriteBackSteps(ctx context.Context, table, dt string) ([]transforms.Step, error) {
	fields, err := w.DescribeTable(ctx, table)
	if err != nil {
		return nil, err
	}
	id, _ := schemas.Find(fields, "customer_id")
	if err := engine.CheckFlagColumns(table, fields, flagTypes); err != nil {
		return nil, err
	}
	flagged := filepath.Join(w.cfg.Output, "customers_flagged", "dt="+dt, "part-0.parquet")
	return transforms.WriteBackSteps(transforms.DuckDB, transforms.WriteBack{Table: transforms.DuckDB.QualifiedName(table), IDColumn: transforms.Ident(id.Name), FlaggedFile: flagged})
}

// WriteBack puts D's published flags onto the customers table, in one
// transaction, touching only rows whose flags changed. A kill before it
// commits leaves the table as it was, and the next run of D writes the
// same flags (it is idempotent).
func (w *Warehouse) WriteBack(ctx context.Context, table, dt string) (int64, error) {
	steps, err := w.WriteBackSteps(ctx, table, dt)
	if err != nil {
		return 0, err
	}
	tx := func(sql string) error {
		_, _, err := w.Run(ctx, transforms.Step{Name: "write_back_" + strings.ToLower(sql), Kind: transforms.Setup, SQL: sql})
		return err
	}
	if err := tx("BEGIN TRANSACTION"); err != nil {
		return 0, err
	}
	var updated int64
	for _, s := range steps {
		n, _, err := w.Run(ctx, s)
		if err != nil {
			return 0, errors.Join(fmt.Errorf("write-back to table %s: %w", table, err), tx("ROLLBACK"))
		}
		updated = n
	}
	w.out.At("write_back_uncommitted")
	if err := tx("COMMIT"); err != nil {
		return 0, fmt.Errorf("write-back to table %s: %w", table, err)
	}
	// Into the database file at once, not at the close: DuckDB cannot
	// replay from its log the ALTER that adds the flag columns to a table
	// with a default that calls a function (nextval, now()), so a run
	// killed before the checkpoint left a database that no connection
	// could open ("Failure while replaying WAL file"; docs/decisions.md).
	if err := tx("CHECKPOINT"); err != nil {
		return updated, fmt.Errorf("write-back to table %s: %d rows committed, but not checkpointed: %w", table, updated, err)
	}
	return updated, nil
}

// Begin opens the run's staging folder.
func (w *Warehouse) Begin(_ context.Context, run engine.RunInfo) (engine.Stage, error) {
	st, err := w.out.Begin(run.ID, run.Date, run.Now)
	if err != nil {
		return nil, err
	}
	return &stage{w: w, st: st, run: run, exportDirs: map[string]string{}, historyFiles: map[string][]string{}}, nil
}

// stage is a run's staging folder.
type stage struct {
	w   *Warehouse
	st  *files.Stage
	run engine.RunInfo
	// exportDirs maps each export to its staged folder.
	exportDirs map[string]string
	// historyFiles maps each export history view to its files.
	historyFiles map[string][]string
}

// Target is the staged file of output step s.
func (s *stage) Target(step transforms.Step) (string, error) {
	rel := step.Table
	if step.PerDate {
		rel = filepath.Join(step.Table, "dt="+s.run.Date)
	}
	dir, err := s.st.Folder(rel)
	if err != nil {
		return "", err
	}
	name := step.FileName
	if name == "" {
		format := step.Format
		if format == "" {
			format = "parquet"
		}
		name = "part-0." + format
	}
	return filepath.Join(dir, name), nil
}

// Written registers an export's written file as its written view: the
// leak check reads the export back from disk, as written.
func (s *stage) Written(ctx context.Context, step transforms.Step) error {
	if step.WrittenView == "" {
		return nil
	}
	if err := s.w.Register(ctx, step.WrittenView, []string{step.Target}); err != nil {
		return err
	}
	s.exportDirs[step.Export] = filepath.Dir(step.Target)
	return nil
}

// Checked writes the export's _SUCCESS, its last file (exportMarker).
func (s *stage) Checked(_ context.Context, m transforms.Manifested) error {
	dir, ok := s.exportDirs[m.Export]
	if !ok {
		return fmt.Errorf("leak check of export %s ran before the export was written", m.Export)
	}
	b, err := json.Marshal(exportMarker{PublishedAt: m.PublishedAt.UTC().Format(time.RFC3339Nano), PublishedAs: m.As})
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "_SUCCESS"), append(b, '\n'), 0o644)
}

// exportMarker is an export's _SUCCESS: when its date was first published
// (third-party notifications look only at exports published before a
// request was enforced) and how its file was written (they read it so).
type exportMarker struct {
	PublishedAt string `json:"published_at"`
	transforms.PublishedAs
}

// readExportMarker reads an export's _SUCCESS. An older version's holds the
// publish time alone, or nothing: its file's writing is unknown (nil).
func readExportMarker(path string) (at string, as *transforms.PublishedAs, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", nil, err
	}
	text := strings.TrimSpace(string(b))
	if !strings.HasPrefix(text, "{") {
		return text, nil, nil
	}
	var m exportMarker
	if err := json.Unmarshal(b, &m); err != nil {
		return "", nil, fmt.Errorf("export marker %s: %w", path, err)
	}
	return m.PublishedAt, &m.PublishedAs, nil
}

// Publish stages the runs row and publishes the staging folder.
func (s *stage) Publish(ctx context.Context, runsRow transforms.Step) error {
	var err error
	if runsRow.Target, err = s.st.File(filepath.Join("runs", s.run.ID+".parquet")); err != nil {
		return err
	}
	if _, _, err := s.w.Run(ctx, runsRow); err != nil {
		return err
	}
	s.w.out.At("staged")
	return s.st.Publish()
}

func (s *stage) Discard() { s.st.Discard() }

// History registers the files that earlier runs published (folders with
// _SUCCESS), of every date and every export folder: one view
// per export, way of writing (its marker's) and file format, and when each
// file was published.
func (s *stage) History(ctx context.Context) (engine.History, error) {
	h := engine.History{First: map[string]string{}}
	markers, err := filepath.Glob(filepath.Join(s.w.cfg.Output, "exports", "*", "dt=*", "_SUCCESS"))
	if err != nil {
		return h, err
	}
	type group struct {
		export, format string
		as             *transforms.PublishedAs
		files          []string
	}
	var groups []*group
	byKey := map[string]*group{}
	for _, m := range markers { // sorted: by export, then by date
		dir := filepath.Dir(m)
		dt, name := exportFileDate(m), filepath.Base(filepath.Dir(dir))
		if !files.IsDate(dt) {
			continue
		}
		at, as, err := readExportMarker(m)
		if err != nil {
			return h, err
		}
		if dt == s.run.Date {
			h.First[name] = at
		}
		written, err := json.Marshal(as)
		if err != nil {
			return h, err
		}
		found, _ := filepath.Glob(filepath.Join(dir, "part-0.*"))
		for _, f := range found {
			// An empty marker (an older version's) leaves the time unknown.
			h.Published = append(h.Published, transforms.Published{File: f, At: at})
			format := strings.TrimPrefix(filepath.Ext(f), ".")
			if format != "csv" && format != "parquet" {
				continue
			}
			key := name + "\x00" + format + "\x00" + string(written)
			g := byKey[key]
			if g == nil {
				g = &group{export: name, format: format, as: as}
				byKey[key] = g
				groups = append(groups, g)
			}
			g.files = append(g.files, f)
		}
	}
	seen := map[string]int{}
	for _, g := range groups {
		// The view reads the newest file, for its columns, until
		// NarrowHistory says which files are needed: registering every
		// file kept read each one's schema on every run.
		view := "history__" + g.export + "__" + g.format
		if n := seen[view]; n > 0 {
			view = fmt.Sprintf("%s__%d", view, n)
		}
		seen["history__"+g.export+"__"+g.format]++
		if err := s.w.Register(ctx, view, []string{newestExportFile(g.files)}); err != nil {
			return h, err
		}
		h.Views = append(h.Views, transforms.HistoryView{Export: g.export, View: view, As: g.as})
		s.historyFiles[view] = g.files
	}
	return h, nil
}

// NarrowHistory registers each history view over the files dated from
// on: DuckDB cannot skip CSV files by their folder's date, so reading them
// all made every run reread every export kept. A view with no such file
// keeps its newest alone, whose rows the notifications' own date filter
// drops.
func (s *stage) NarrowHistory(ctx context.Context, from string) error {
	for view, found := range s.historyFiles {
		var keep []string
		for _, f := range found {
			if exportFileDate(f) >= from {
				keep = append(keep, f)
			}
		}
		if len(keep) < 2 { // none, or the newest alone: registered so
			continue
		}
		if err := s.w.Register(ctx, view, keep); err != nil {
			return err
		}
	}
	return nil
}

// Kept is the file output step s wrote, where the publish renames it (a
// staged folder is renamed into place, so the file keeps its size and
// modification time).
func (s *stage) Kept(step transforms.Step) (engine.Kept, bool) {
	st, err := os.Stat(step.Target)
	rel, rerr := filepath.Rel(s.st.Dir, step.Target)
	if err != nil || rerr != nil {
		return engine.Kept{}, false
	}
	return engine.Kept{File: filepath.Join(s.w.cfg.Output, rel), Size: st.Size(), Mod: st.ModTime()}, true
}

// Reuse copies a kept file, still unchanged, to s's target, durably.
func (s *stage) Reuse(step transforms.Step, k engine.Kept) bool {
	st, err := os.Stat(k.File)
	if err != nil || st.Size() != k.Size || !st.ModTime().Equal(k.Mod) {
		return false
	}
	if err := copyFileSynced(k.File, step.Target); err != nil {
		_ = os.Remove(step.Target)
		return false
	}
	return true
}

// copyFileSynced copies src to dst and syncs dst.
func copyFileSynced(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// newestExportFile is the file of the latest date among published export files.
func newestExportFile(found []string) string {
	newest := found[0]
	for _, f := range found {
		if exportFileDate(f) > exportFileDate(newest) {
			newest = f
		}
	}
	return newest
}

// exportFileDate is the dt of a published export file: its folder's dt=D.
func exportFileDate(file string) string {
	return strings.TrimPrefix(filepath.Base(filepath.Dir(file)), "dt=")
}
