package jobs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/internal/engine"
	"github.com/optout-dev/optout/internal/exit"
	"github.com/optout-dev/optout/internal/utf8check"
	"github.com/optout-dev/optout/schemas"
	"github.com/optout-dev/optout/transforms"
)

// globChars are the characters DuckDB's file readers take as a pattern,
// in a file's path too: there is no escaping them.
const globChars = "*?[]"

// isDataFile says whether a file's name is that of a Parquet or Arrow IPC
// file.
func isDataFile(path string) bool {
	return strings.EqualFold(filepath.Ext(path), ".parquet") || engine.IsArrow(path)
}

// isHidden says whether a file or folder name is one that readers of
// partitioned data skip: markers (_SUCCESS, .crc files), and the folders
// of a job still writing (_temporary, .spark-staging) or of a table's log
// (_delta_log), whose files are not rows of the input.
func isHidden(name string) bool {
	return strings.HasPrefix(name, "_") || strings.HasPrefix(name, ".")
}

// dataFile sorts one file found under an input's path: read it, skip it
// (a hidden name at or under the path), or fail, naming it, because its
// rows would be left out unread (a Hive file without an extension, a
// .parq, a CSV put there).
func dataFile(input, root, file string) (bool, error) {
	rel, err := filepath.Rel(root, file)
	if err != nil {
		rel = filepath.Base(file)
	}
	for _, part := range strings.Split(filepath.ToSlash(rel), "/") {
		if isHidden(part) {
			return false, nil
		}
	}
	if isDataFile(file) {
		return true, nil
	}
	return false, exit.With(exit.Input, fmt.Errorf("input %s: file %s is neither Parquet (.parquet) nor Arrow IPC (.arrow, .feather, .ipc), so its rows would not be read; give it its format's extension, or move it out of the input's path", input, file))
}

// listFiles expands an input path (a file, a folder, or a glob with **)
// into its data files, sorted.
func listFiles(input, path string) ([]string, error) {
	fail := func(format string, a ...any) error {
		return exit.With(exit.Input, fmt.Errorf("input %s: "+format, append([]any{input}, a...)...))
	}
	var files []string
	if strings.ContainsAny(path, "*?[{") {
		matches, err := doublestar.FilepathGlob(path, doublestar.WithFilesOnly())
		if err != nil {
			return nil, fail("path %s is not a valid glob: %v", path, err)
		}
		base, _ := doublestar.SplitPattern(filepath.ToSlash(path))
		for _, m := range matches {
			ok, err := dataFile(input, filepath.FromSlash(base), m)
			if err != nil {
				return nil, err
			}
			if ok {
				files = append(files, m)
			}
		}
		if len(files) == 0 {
			return nil, fail("path %s matches no Parquet or Arrow IPC files (.parquet, .arrow, .feather, .ipc); check the path in the config (it is relative to the config file)", path)
		}
	} else {
		st, err := os.Stat(path)
		if errors.Is(err, os.ErrNotExist) {
			return nil, fail("path %s does not exist", path)
		} else if err != nil {
			return nil, fail("path %s: %v", path, err)
		}
		if !st.IsDir() {
			return []string{path}, nil
		}
		var bad error
		err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if p != path && isHidden(d.Name()) {
					return filepath.SkipDir
				}
				return nil
			}
			ok, err := dataFile(input, path, p)
			if ok {
				files = append(files, p)
			}
			bad = err
			return err
		})
		if bad != nil {
			return nil, bad
		}
		if err != nil {
			return nil, fail("folder %s: %v", path, err)
		}
		if len(files) == 0 {
			return nil, fail("folder %s holds no Parquet or Arrow IPC files (.parquet, .arrow, .feather, .ipc)", path)
		}
	}
	sort.Strings(files)
	return files, nil
}

// contractFor returns the contract of an input.
func contractFor(in *config.Input, exports []config.Export) schemas.Contract {
	for _, e := range exports {
		if e.Name == in.Name {
			return schemas.ExportContract(e.Identifiers)
		}
	}
	switch in.Name {
	case "customers":
		return schemas.Customers
	case "identity_links":
		return schemas.IdentityLinks
	case "traffic":
		return schemas.Traffic
	}
	return schemas.RequestContract(in.Format)
}

// loadInput lists an input's files, checks each against the input's
// contract (exit 3 naming input, file and column), and registers them. It
// returns the files as they were when listed (stamps), before anything
// read them.
func loadInput(ctx context.Context, eng engine.Engine, in *config.Input, cfg *config.Config) (transforms.Source, []stamp, error) {
	exports := cfg.Exports
	if in.Table != "" {
		inPlace := in.Name == "customers" && cfg.BigQuery.ReadCustomersInPlace ||
			in.Format == "export" && cfg.BigQuery.ReadExportsInPlace
		return loadTable(ctx, eng, in, exports, inPlace)
	}
	files, err := listFiles(in.Name, in.Path)
	if err != nil {
		return transforms.Source{}, nil, err
	}
	for _, f := range files {
		if cfg.InOutput(f) {
			return transforms.Source{}, nil, exit.With(exit.Usage, fmt.Errorf("input %s: file %s lies in the output %s (its links followed): the run would read its own outputs, and replace the folder it read; the output must be a folder of its own", in.Name, f, cfg.Output))
		}
	}
	stamps, err := stampFiles(in.Name, files)
	if err != nil {
		return transforms.Source{}, nil, err
	}
	contract := contractFor(in, exports)
	var each []schemas.FileFields
	for _, f := range files {
		if strings.ContainsAny(f, globChars) {
			return transforms.Source{}, nil, exit.With(exit.Input, fmt.Errorf("input %s: file %s: its path holds one of %s, which DuckDB would expand as a pattern instead of reading the file itself (its rows would be lost, or another file read twice); rename it", in.Name, f, globChars))
		}
		fields, err := eng.Describe(ctx, f)
		var bad *engine.InvalidUTF8Error
		if errors.As(err, &bad) { // an Arrow file, whose text DuckDB checks as it copies it
			return transforms.Source{}, nil, invalidText(ctx, in.Name, f)
		} else if err != nil {
			as := "Parquet"
			if engine.IsArrow(f) {
				as = "Arrow IPC"
			}
			return transforms.Source{}, nil, exit.With(exit.Input, fmt.Errorf("input %s: file %s cannot be read as %s: %v", in.Name, f, as, err))
		}
		if err := contract.Check(in.Name, f, fields); err != nil {
			return transforms.Source{}, nil, exit.With(exit.Input, err)
		}
		each = append(each, schemas.FileFields{File: f, Fields: fields})
	}
	if err := contract.CheckAcross(in.Name, each); err != nil {
		return transforms.Source{}, nil, exit.With(exit.Input, err)
	}
	var union []schemas.Field
	for _, ff := range each {
		for _, fl := range ff.Fields {
			if _, ok := schemas.Find(union, fl.Name); !ok {
				union = append(union, fl)
			}
		}
	}
	view := inputView(in.Name)
	if err := eng.Register(ctx, view, files); err != nil {
		return transforms.Source{}, nil, exit.With(exit.Input, fmt.Errorf("input %s: %w", in.Name, err))
	}
	union = append(union, schemas.Field{Name: "_file", Family: schemas.String}, schemas.Field{Name: "_row", Family: schemas.Integer})
	return transforms.Source{Name: in.Name, Format: in.Format, View: view, Fields: union}, stamps, nil
}

// loadTable checks a warehouse table against the input's contract and
// registers it; it stands for one "file" named table:NAME in the runs row.
func loadTable(ctx context.Context, eng engine.Engine, in *config.Input, exports []config.Export, readInPlace bool) (transforms.Source, []stamp, error) {
	where := "table:" + in.Table
	fields, err := eng.DescribeTable(ctx, in.Table)
	if err != nil {
		return transforms.Source{}, nil, exit.With(exit.Input, fmt.Errorf("input %s: table %s cannot be read from the database: %v", in.Name, in.Table, err))
	}
	if err := contractFor(in, exports).Check(in.Name, where, fields); err != nil {
		return transforms.Source{}, nil, exit.With(exit.Input, err)
	}
	if err := ownDateColumn(eng, in, exports, fields); err != nil {
		return transforms.Source{}, nil, err
	}
	if err := ownRowidColumn(eng, in, fields); err != nil {
		return transforms.Source{}, nil, err
	}
	// Checked before anything is written: found at the write-back, after
	// the publish, it failed every run with D's outputs already out (and
	// validate passed it).
	if in.WriteBack {
		if err := engine.CheckFlagColumns(in.Table, fields, eng.FlagTypes()); err != nil {
			return transforms.Source{}, nil, err
		}
		if wc, ok := eng.(writeBackChecker); ok {
			if err := wc.CheckWriteBack(ctx, in.Table, fields); err != nil {
				return transforms.Source{}, nil, exit.With(exit.Input, fmt.Errorf("input %s: write_back: %w", in.Name, err))
			}
		}
	}
	view := inputView(in.Name)
	// customer_id identifies a customer row (customer_duplicates), so the
	// customers need no row id, and with bigquery.read_customers_in_place
	// BigQuery reads them where they are instead of copying them to
	// number the rows: two reads of the table instead of a copy and three
	// reads of it. The plan then proves that both reads saw the same rows
	// (customers_reread, docs/decisions.md). With
	// bigquery.read_exports_in_place an export is read in place too, its
	// rows told apart by their keys, which decide them (export.sql).
	// Otherwise, and for every other table, the table is copied once, its
	// copy the run's snapshot.
	var columns []string
	if readInPlace {
		for _, f := range fields {
			columns = append(columns, f.Name)
		}
	}
	inPlace, err := eng.RegisterTable(ctx, view, in.Table, columns)
	if err != nil {
		return transforms.Source{}, nil, exit.With(exit.Input, fmt.Errorf("input %s: %w", in.Name, err))
	}
	fields = append(fields, schemas.Field{Name: "_file", Family: schemas.String}, schemas.Field{Name: "_row", Family: schemas.Integer})
	return transforms.Source{Name: in.Name, Format: in.Format, View: view, Fields: fields, InPlace: inPlace}, []stamp{{Input: in.Name, File: where}}, nil
}

// writeBackChecker is an engine that can tell, before the publish, that
// the write-back could not update a table (DuckDB: a foreign key
// references it, or its flag columns cannot take the written values).
type writeBackChecker interface {
	CheckWriteBack(ctx context.Context, table string, fields []schemas.Field) error
}

// ownRowidColumn refuses, on DuckDB, a table input other than the
// customers with a column of its own named rowid. A table's row number is
// DuckDB's rowid, which stands for a row's place in a file (SPEC §3.1: the
// later row wins a tie; an export's decision is joined back by it), and a
// column of that name hides it: a request table with an Oracle-style ROWID
// column chose the rejected row of a tie over the verified one, and the
// person was exported with exit 0. The customers' row number decides
// nothing, so theirs may stay.
func ownRowidColumn(eng engine.Engine, in *config.Input, fields []schemas.Field) error {
	if eng.Dialect() != transforms.DuckDB || in.Name == "customers" {
		return nil
	}
	if f, ok := schemas.Find(fields, "rowid"); ok {
		return exit.With(exit.Input, fmt.Errorf("input %s: table %s: column %s: is the name of DuckDB's row number, which optout reads as each row's place in the table (a later row wins a tie), and a column of that name hides it; rename the column", in.Name, in.Table, f.Name))
	}
	return nil
}

// ownDateColumn refuses, on BigQuery, a customers table or an export with
// a column of its own named dt, and any input with both dt and input_dt.
// The outputs that keep their columns (customers_flagged, the exports) are
// tables partitioned by dt, the date of the run; the two collided at the
// publish, after every scan was billed, with a message naming neither the
// input nor the column, and exit 1, which a scheduler retries night after
// night.
func ownDateColumn(eng engine.Engine, in *config.Input, exports []config.Export, fields []schemas.Field) error {
	if eng.Dialect() != transforms.BigQuery {
		return nil
	}
	kept := in.Name == "customers"
	for _, e := range exports {
		kept = kept || e.Name == in.Name
	}
	f, ok := schemas.Find(fields, "dt")
	if ok && kept {
		return exit.With(exit.Input, fmt.Errorf("input %s: table %s: column %s: on BigQuery the outputs that keep this input's columns are partitioned by a dt column, the date of the run, which this column would collide with; rename it (or read the table through a view that does)", in.Name, in.Table, f.Name))
	}
	// A quarantined row keeps its own dt as input_dt: an input that has a
	// column of that name too failed every run at the publish (and hung on
	// the emulator, its client retrying the table's creation).
	if own, has := schemas.Find(fields, engine.OwnDate("quarantine/"+in.Name)); ok && has {
		return exit.With(exit.Input, fmt.Errorf("input %s: table %s: columns %s and %s: on BigQuery a quarantined row's own dt column is published as %s, which this table already has; rename one of them (or read the table through a view that does)", in.Name, in.Table, f.Name, own.Name, engine.OwnDate("quarantine/"+in.Name)))
	}
	return nil
}

// inputErr names the input and file (and for text that is not UTF-8 the
// column and row) when step s failed reading an input file: a file the
// engine's message names, or, for a step that reads one input, the first
// of its files that cannot be read through (SPEC §9: an unreadable file is
// exit 3 naming it). Any other error is returned as it is.
func (r *run) inputErr(ctx context.Context, s transforms.Step, err error) error {
	if ctx.Err() != nil || errors.As(err, new(*engine.RuntimeError)) {
		return err // stopped, or out of memory or disk: nothing of the inputs
	}
	if in := r.requestSource(s.OnlyInput); in != nil && s.Name == transforms.AdaptStepName(in.Name) {
		// A vendor format's adapter casts its nested fields: a text time
		// that is no time (an empty _repo.modifyDate, a phone in an
		// entry's timestamp) stops the run, as a wrongly typed column does
		// (SPEC §7), naming the input and what to look at.
		return exit.With(exit.Input, fmt.Errorf("input %s (format %s): a value of its rows does not read as the format's type, most likely a text time that is no time (xdm_privacy: privacyOptOuts.timestamp, _repo.modifyDate, timestamp; campaign_profile: snapshot_at; segment_ids: collected_at); fix or remove the row: %w", in.Name, in.Format, err))
	}
	var bad *engine.InvalidUTF8Error
	if errors.As(err, &bad) {
		for _, fc := range r.rec.Inputs {
			if fc.File == bad.File {
				return invalidText(ctx, fc.Input, fc.File)
			}
		}
	}
	for _, fc := range r.rec.Inputs {
		if strings.Contains(err.Error(), fc.File) {
			return unreadable(fc.Input, fc.File, err)
		}
	}
	for _, fc := range r.rec.Inputs {
		if fc.Input != s.OnlyInput || strings.HasPrefix(fc.File, "table:") {
			continue
		}
		if _, _, rerr := utf8check.Find(ctx, fc.File, engine.IsArrow(fc.File)); rerr != nil {
			return unreadable(fc.Input, fc.File, err)
		}
	}
	if strings.Contains(err.Error(), "Conversion Error") {
		if located := r.unconvertible(ctx, s); located != nil {
			return located
		}
	}
	return err
}

// columnReader is an engine that can read one column of one input file
// on its own (DuckDB); unconvertible needs it.
type columnReader interface {
	ReadColumn(ctx context.Context, file, column string) error
}

// unconvertible finds the file and column of a value the engine could not
// convert while step s read an input: a TIMESTAMP(MILLIS) column holding
// epoch nanoseconds is beyond the microseconds DuckDB keeps, and its
// message ("Could not convert Timestamp(MS) to Timestamp(US)") names no
// input, file or column (SPEC §7 asks for all three). Each column of each
// file of the inputs s reads is read on its own; the first that fails is
// named (exit 3). It runs only on that failure, so its cost, a read of
// every column, is paid only then. nil when no column fails on its own.
func (r *run) unconvertible(ctx context.Context, s transforms.Step) error {
	cr, ok := r.eng.(columnReader)
	if !ok {
		return nil
	}
	reads := map[string]bool{}
	for _, rel := range s.Reads {
		reads[rel] = true
	}
	for _, fc := range r.rec.Inputs {
		if !(fc.Input == s.OnlyInput || reads[inputView(fc.Input)]) || strings.HasPrefix(fc.File, "table:") {
			continue
		}
		fields, err := r.eng.Describe(ctx, fc.File)
		if err != nil {
			return unreadable(fc.Input, fc.File, err)
		}
		for _, f := range fields {
			// Only the engine's conversion failure names the column: a
			// column this read cannot bind (a hive folder's) is another
			// matter.
			if err := cr.ReadColumn(ctx, fc.File, f.Name); err != nil && strings.Contains(err.Error(), "Conversion Error") {
				return exit.With(exit.Input, fmt.Errorf("input %s: file %s: column %s: a value cannot be read as %s (most often a time in another unit than the column's type says, such as epoch nanoseconds in a milliseconds column): %w", fc.Input, fc.File, f.Name, f.Type, err))
			}
		}
	}
	return nil
}

// requestSource is the request source named name, or nil.
func (r *run) requestSource(name string) *config.Input {
	for i := range r.cfg.Inputs.Requests {
		if r.cfg.Inputs.Requests[i].Name == name {
			return &r.cfg.Inputs.Requests[i]
		}
	}
	return nil
}

// unreadable is the error for an input file whose rows cannot be read.
func unreadable(input, file string, err error) error {
	return exit.With(exit.Input, fmt.Errorf("input %s: file %s cannot be read: %w", input, file, err))
}

// invalidText is the error for an input file holding text that is not
// UTF-8 (exit 3). It names the input, file, column and row, never the
// value: the engine's message quotes it.
func invalidText(ctx context.Context, input, file string) error {
	where := fmt.Sprintf("input %s: file %s", input, file)
	loc, ok, err := utf8check.Find(ctx, file, engine.IsArrow(file))
	if err != nil || !ok {
		return exit.With(exit.Input, fmt.Errorf("%s: a value is not valid UTF-8", where))
	}
	return exit.With(exit.Input, fmt.Errorf("%s: column %s: a value is not valid UTF-8 (row %d)", where, loc.Column, loc.Row))
}

// inputView is the relation an input is registered as: a step reads the
// input when its template names this relation (Step.Reads).
func inputView(input string) string { return "src_" + input }
