// Package duckdb runs optout's steps in embedded DuckDB over Parquet files.
package duckdb

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/duckdb/duckdb-go/v2" // also registers the "duckdb" driver

	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/internal/engine"
	"github.com/optout-dev/optout/internal/exit"
	"github.com/optout-dev/optout/internal/fileversion"
	"github.com/optout-dev/optout/internal/redact"
	"github.com/optout-dev/optout/schemas"
	"github.com/optout-dev/optout/transforms"
)

// Engine is one DuckDB database and the single connection every step runs
// on (temporary tables and macros live per connection).
type Engine struct {
	db   *sql.DB
	conn *sql.Conn
	// spill is the run's private folder for DuckDB's temporary files
	// (privateSpill), removed when the engine closes; spillLock is its
	// lock, held until then (nil where none could be taken).
	spill     string
	spillLock *os.File
	// arrow maps an Arrow IPC file to the temporary table holding its rows
	// and its hive folders' typed values, so that a backfill reads and
	// types each file once.
	arrow map[fileVersion]arrowCopy
	// described holds what Describe read of each file: a backfill checks
	// every input of every date, and DESCRIBE cost ~1 ms a file.
	described map[fileVersion][]schemas.Field
	// csvLongest is each written CSV file's longest record, by version.
	csvLongest map[fileVersion]int64
	// views holds the statement of each view Register made: a backfill
	// registers the same inputs every date, and the same view is not made
	// again.
	views map[string]string
	// work is set when the steps' tables are written to a work database
	// file (a temp_directory is configured) rather than kept in memory; see
	// openWork.
	work bool
	// ProfileDir, when set, receives DuckDB's JSON profile of each step
	// as <step>.json (a binary built -tags optouttest, docs/performance.md).
	ProfileDir string
	// statements counts the statements Run has sent.
	statements atomic.Int64
}

// fileVersion identifies one version of a file.
type fileVersion struct {
	path string
	fileversion.Version
}

var _ engine.Steps = (*Engine)(nil)

// Dialect is DuckDB's.
func (e *Engine) Dialect() transforms.Dialect { return transforms.DuckDB }

// Scratch is empty: the run's relations are the session's temporary tables.
func (e *Engine) Scratch() string { return "" }

// openError says why the database could not be opened. Another process
// holding it open (another optout run, which opens it before it takes the
// output's lock, or a DuckDB session) is a second writer: exit 4, as the
// output's lock says, not a failure.
func openError(database string, err error) error {
	if strings.Contains(err.Error(), "Could not set lock on file") {
		return exit.With(exit.Locked, fmt.Errorf("duckdb.database %s is open in another process (another optout run, or a DuckDB session that has it open); wait for it to finish: %w", database, err))
	}
	return fmt.Errorf("open duckdb %s: %w", database, err)
}

// Open starts DuckDB with the configured settings. Sessions run in UTC:
// zone-less timestamps are UTC instants (SPEC §2).
func Open(ctx context.Context, cfg config.DuckDB) (*Engine, error) {
	db, err := sql.Open("duckdb", cfg.Database)
	if err != nil {
		return nil, openError(cfg.Database, err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, openError(cfg.Database, err)
	}
	e := &Engine{db: db, conn: conn, arrow: map[fileVersion]arrowCopy{}, described: map[fileVersion][]schemas.Field{}, csvLongest: map[fileVersion]int64{}, views: map[string]string{}}
	if err := registerFunctions(ctx, conn); err != nil {
		e.Close()
		return nil, err
	}
	// allocator_background_threads: DuckDB's allocator hands the memory of
	// a dropped table back to the system in the background instead of
	// keeping it for later steps. A run drops its big row tables as it
	// goes, so this lowers and steadies its peak (at 10M customers 2.5 GiB
	// in three runs, against 2.6–3.1 GiB without; docs/decisions.md).
	// key: the config key a setting comes from; DuckDB refusing its value
	// (a memory_limit of "lots") is a configuration error, exit 2.
	type setting struct{ key, sql string }
	settings := []setting{{"", "SET TimeZone = 'UTC'"}, {"", "SET preserve_insertion_order = true"}, {"", "SET allocator_background_threads = true"}}
	if cfg.Threads > 0 {
		settings = append(settings, setting{"threads", fmt.Sprintf("SET threads = %d", cfg.Threads)})
	}
	if cfg.MemoryLimit != "" {
		settings = append(settings, setting{"memory_limit", "SET memory_limit = " + transforms.Literal(cfg.MemoryLimit)})
	}
	if e.spill, e.spillLock, err = privateSpill(cfg.TempDirectory); err != nil {
		e.Close()
		return nil, err
	}
	settings = append(settings, setting{"temp_directory", "SET temp_directory = " + transforms.Literal(e.spill)})
	for _, s := range settings {
		if _, err := conn.ExecContext(ctx, s.sql); err != nil {
			e.Close()
			if s.key != "" {
				return nil, exit.With(exit.Usage, fmt.Errorf("config duckdb.%s: DuckDB refuses it: %w", s.key, err))
			}
			return nil, fmt.Errorf("duckdb setting %q: %w", s.sql, err)
		}
	}
	if cfg.TempDirectory != "" {
		if err := e.openWork(ctx, e.spill, cfg.Database == ""); err != nil {
			e.Close()
			return nil, err
		}
	}
	return e, nil
}

// workCatalog names the attached work database.
const workCatalog = "optout_work"

// openWork attaches a new database file in dir for the steps' tables and
// puts it on the search path after the default database, so that they are
// found by their plain names (not first: a warehouse's schemas are looked
// up in the first catalog, and a CREATE without one goes there). A table
// of a database file is written once and its blocks are then dropped from
// memory and read back as needed, where an in-memory table spills to
// temporary files as it is (at 100M customers about 4.5 GB of disk at
// the peak against 10.5 GB, in the same time). The file is unlinked as soon
// as DuckDB has it open, so even a killed run leaves nothing behind; with
// no write-ahead log (nothing here needs recovering) DuckDB never reopens
// it by name, and a dropped table's blocks are reused at once.
//
// plainStrings stores the work database's strings as they are: DuckDB
// analyses every string column of a row group it writes for dictionary and
// FSST compression, and the step tables' strings are mostly unique keys, on
// which that analysis costs more than the smaller file saves (100M
// customers with memory_limit 16GB: 669 → 523 s; the figures are in
// docs/decisions.md). Numbers, ENUMs and booleans are still compressed.
// The setting is DuckDB's, for every database of the process, so a run
// over a warehouse database (duckdb.database) leaves it alone: the
// write-back would store the warehouse's own tables so too.
func (e *Engine) openWork(ctx context.Context, dir string, plainStrings bool) error {
	f, err := os.CreateTemp(dir, "optout-work-*.duckdb")
	if err != nil {
		return fmt.Errorf("duckdb temp_directory: %w", err)
	}
	f.Close()
	name := f.Name()
	// DuckDB creates the file itself; CreateTemp only reserved a fresh name.
	if err := os.Remove(name); err != nil {
		return fmt.Errorf("duckdb temp_directory: %w", err)
	}
	var current string
	if err := e.conn.QueryRowContext(ctx, "SELECT current_database()").Scan(&current); err != nil {
		return fmt.Errorf("duckdb work database: %w", err)
	}
	attach := "ATTACH " + transforms.Literal(name) + " AS " + workCatalog + " (RECOVERY_MODE no_wal_writes)"
	if _, err := e.conn.ExecContext(ctx, attach); err != nil {
		return fmt.Errorf("duckdb work database %s: %w", name, err)
	}
	if err := os.Remove(name); err != nil {
		return fmt.Errorf("duckdb work database %s: %w", name, err)
	}
	path := "SET search_path = " + transforms.Literal(transforms.Ident(current)+".main,"+workCatalog+".main")
	if _, err := e.conn.ExecContext(ctx, path); err != nil {
		return fmt.Errorf("duckdb work database: %w", err)
	}
	if plainStrings {
		if _, err := e.conn.ExecContext(ctx, "SET disabled_compression_methods = 'dictionary,fsst'"); err != nil {
			return fmt.Errorf("duckdb work database: %w", err)
		}
	}
	e.work = true
	return nil
}

// Close releases the connection and the database, and removes the spill
// folder.
func (e *Engine) Close() error {
	err := errors.Join(e.conn.Close(), e.db.Close())
	if e.spill != "" {
		err = errors.Join(err, os.RemoveAll(e.spill))
	}
	if e.spillLock != nil {
		err = errors.Join(err, e.spillLock.Close())
	}
	return err
}

// Describe reads one file's schema: a Parquet footer, or an Arrow IPC file
// (which this copies into the engine once, see arrowRows).
func (e *Engine) Describe(ctx context.Context, file string) ([]schemas.Field, error) {
	v, err := fileversion.Stat(file)
	if err != nil {
		return nil, err
	}
	key := fileVersion{file, v}
	if fields, ok := e.described[key]; ok {
		return slices.Clone(fields), nil
	}
	var fields []schemas.Field
	if engine.IsArrow(file) {
		rel, err := e.arrowColumns(ctx, file)
		if err != nil {
			return nil, err
		}
		if fields, err = e.describe(ctx, "DESCRIBE SELECT * FROM "+rel); err != nil {
			return nil, err
		}
		// The hive folders' columns come last (arrowColumns), under their
		// keys: DuckDB renames one that repeats a column of the file
		// (source=web_form/ over a source column reads as source_1), which
		// would hide the clash from the contract check, as for Parquet.
		hive := hiveFolders(file)
		for i, h := range hive {
			fields[len(fields)-len(hive)+i].Name, fields[len(fields)-len(hive)+i].Folder = h.key, h.folder
		}
	} else if fields, err = e.describeParquet(ctx, file); err != nil {
		return nil, err
	}
	e.described[key] = fields
	return slices.Clone(fields), nil
}

// describeParquet reads a Parquet file's columns by the names the file
// gives them, then its hive folders' columns (Field.Folder). DuckDB's own
// description would hide two ambiguities from the contract check: it
// renames the second of two names that differ only by case (Email becomes
// Email_1), and a hive folder replaces the values of the file's column of
// its name (source=web_form over a column source).
func (e *Engine) describeParquet(ctx context.Context, file string) ([]schemas.Field, error) {
	fields, err := e.describe(ctx, "DESCRIBE SELECT * FROM read_parquet(?, hive_partitioning = true)", file)
	if err != nil {
		return nil, err
	}
	names, err := e.parquetColumns(ctx, file)
	if err != nil {
		return nil, err
	}
	if len(names) > len(fields) {
		return nil, fmt.Errorf("its schema names %d columns, of which DuckDB reads %d", len(names), len(fields))
	}
	for i, name := range names { // DuckDB lists the file's columns first, in order
		fields[i].Name = name
	}
	own := len(names)
	for _, h := range hiveFolders(file) {
		if i := slices.IndexFunc(fields[own:], func(f schemas.Field) bool { return strings.EqualFold(f.Name, h.key) }); i >= 0 {
			fields[own+i].Folder = h.folder
			continue
		}
		// The folder's key names a column of the file, whose values it replaced.
		fields = append(fields, schemas.Field{Name: h.key, Family: schemas.String, Type: "VARCHAR", Folder: h.folder})
	}
	return fields, nil
}

// parquetColumns lists the top-level columns of a Parquet file as its
// footer names them. The footer's schema is a tree written depth first:
// the root, then each column followed by its nested fields.
func (e *Engine) parquetColumns(ctx context.Context, file string) ([]string, error) {
	rows, err := e.conn.QueryContext(ctx, "SELECT name, coalesce(num_children, 0) FROM parquet_schema(?)", file)
	if err != nil {
		return nil, cleanErr(err)
	}
	defer rows.Close()
	var names []string
	var children []int64
	for rows.Next() {
		var name string
		var n int64
		if err := rows.Scan(&name, &n); err != nil {
			return nil, err
		}
		names, children = append(names, name), append(children, n)
	}
	if err := rows.Err(); err != nil {
		return nil, cleanErr(err)
	}
	// past returns the index after the subtree of the element at i.
	var past func(i int) (int, error)
	past = func(i int) (int, error) {
		if i >= len(names) {
			return 0, errors.New("its schema is cut short")
		}
		next := i + 1
		for range children[i] {
			var err error
			if next, err = past(next); err != nil {
				return 0, err
			}
		}
		return next, nil
	}
	if len(names) == 0 {
		return nil, errors.New("it has no schema")
	}
	var cols []string
	for i, k := 1, int64(0); k < children[0]; k++ {
		if i >= len(names) {
			return nil, errors.New("its schema is cut short")
		}
		cols = append(cols, names[i])
		var err error
		if i, err = past(i); err != nil {
			return nil, err
		}
	}
	return cols, nil
}

// ReadColumn reads every value of one column of a Parquet file, and
// nothing else of it: a step reads a file through its input's view, which
// converts every column of the file whichever it needs, so a value that
// does not convert fails a step that never reads its column, naming
// neither (jobs' unconvertible finds it with this). An Arrow file's copy
// keeps its own time unit (seconds, milliseconds or nanoseconds), which
// the view converts to microseconds: such a column is read as that.
func (e *Engine) ReadColumn(ctx context.Context, file, column string) error {
	q := "SELECT count(" + transforms.Ident(column) + ") FROM read_parquet(" + transforms.Literal(file) + ")"
	if engine.IsArrow(file) {
		table, _, err := e.arrowTable(ctx, file)
		if err != nil {
			return err
		}
		fields, err := e.describe(ctx, "DESCRIBE "+transforms.Ident(table))
		if err != nil {
			return err
		}
		col := transforms.Ident(column)
		if f, ok := schemas.Find(fields, column); ok && strings.HasPrefix(f.Type, "TIMESTAMP_") {
			col = "CAST(" + col + " AS TIMESTAMP)"
		}
		q = "SELECT count(" + col + ") FROM " + transforms.Ident(table)
	}
	var n int64
	return cleanErr(e.conn.QueryRowContext(ctx, q).Scan(&n))
}

// DescribeTable reads the columns of a table of the database.
func (e *Engine) DescribeTable(ctx context.Context, table string) ([]schemas.Field, error) {
	return e.describe(ctx, "DESCRIBE "+transforms.DuckDB.QualifiedName(table))
}

func (e *Engine) describe(ctx context.Context, q string, args ...any) ([]schemas.Field, error) {
	rows, err := e.conn.QueryContext(ctx, "SELECT column_name, column_type FROM ("+q+")", args...)
	if err != nil {
		return nil, cleanErr(err)
	}
	defer rows.Close()
	var out []schemas.Field
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return nil, err
		}
		out = append(out, schemas.Field{Name: name, Type: typ, Family: family(typ)})
	}
	return out, cleanErr(rows.Err())
}

// RegisterTable creates a view over a table of the database; rowid is the
// table's stable row number. Its text columns compare byte for byte, as
// a file's do: a column declared with a collation (COLLATE NOCASE) keeps
// it through every expression, so two request_ids that differ in case
// were grouped as one request and one of them was lost; DESCRIBE does not
// show a collation, so every text column gets the binary one. The view
// reads the table where it is, but no other process can change it while
// the run holds the database, so it is never inPlace in the engine's
// sense, and inPlaceColumns changes nothing.
func (e *Engine) RegisterTable(ctx context.Context, name, table string, inPlaceColumns []string) (bool, error) {
	fields, err := e.DescribeTable(ctx, table)
	if err != nil {
		return false, fmt.Errorf("register %s: %w", name, err)
	}
	var binary []string
	for _, f := range fields {
		if f.Type == "VARCHAR" {
			binary = append(binary, transforms.Ident(f.Name)+` COLLATE "binary" AS `+transforms.Ident(f.Name))
		}
	}
	all := "*"
	if len(binary) > 0 {
		all = "* REPLACE (" + strings.Join(binary, ", ") + ")"
	}
	q := fmt.Sprintf("CREATE OR REPLACE TEMP VIEW %s AS SELECT %s, %s AS _file, rowid AS _row FROM %s",
		transforms.Ident(name), all, transforms.Literal("table:"+table), transforms.DuckDB.QualifiedName(table))
	delete(e.views, name)
	if _, err := e.conn.ExecContext(ctx, q); err != nil {
		if strings.Contains(err.Error(), `"rowid"`) { // a view has none
			return false, fmt.Errorf("register %s: %s has no row ids (is it a view?): optout reads a table, each row by its stable row number; point the input at a table (CREATE TABLE … AS SELECT * FROM the view): %w", name, table, cleanErr(err))
		}
		return false, fmt.Errorf("register %s: %w", name, cleanErr(err))
	}
	return false, nil
}

// Register creates a view over the files (Parquet and Arrow IPC, matched
// by column name, or all CSV as written by an Output step, read back as
// text). File paths are spliced as quoted literals because a view cannot
// hold bind parameters.
func (e *Engine) Register(ctx context.Context, name string, files []string) error {
	lits := func(files []string) string {
		q := make([]string, len(files))
		for i, f := range files {
			q[i] = transforms.Literal(f)
		}
		return strings.Join(q, ", ")
	}
	var parquet, parts []string
	for _, f := range files {
		if !engine.IsArrow(f) {
			parquet = append(parquet, f)
			continue
		}
		rel, err := e.arrowRows(ctx, f)
		if err != nil {
			return fmt.Errorf("register %s: file %s: %w", name, f, err)
		}
		parts = append(parts, "SELECT * FROM "+rel)
	}
	if len(parquet) > 0 {
		// _file is an ENUM of the paths (transforms.SortedEnum): the
		// tables that keep it (the customer, request and export rows) no
		// longer hold every row's path (~300 MB a 10M-row input), and it
		// sorts as the paths do.
		parts = append([]string{fmt.Sprintf(`SELECT * EXCLUDE (file_row_number, _file), CAST(_file AS %s) AS _file, file_row_number AS _row
FROM read_parquet([%s], hive_partitioning = true, union_by_name = true, filename = '_file', file_row_number = true)`, transforms.SortedEnum(parquet), lits(parquet))}, parts...)
	}
	if len(files) > 0 && strings.HasSuffix(files[0], ".csv") {
		var err error
		if parts, err = e.csvParts(files); err != nil {
			return fmt.Errorf("register %s: %w", name, err)
		}
	}
	q := fmt.Sprintf("CREATE OR REPLACE TEMP VIEW %s AS\n%s", transforms.Ident(name), strings.Join(parts, "\nUNION ALL BY NAME\n"))
	// DuckDB binds a view's query again each time it is read, so the same
	// view over the same paths reads their files as they are then: made
	// once, it serves every date of a backfill.
	if e.views[name] == q {
		return nil
	}
	delete(e.views, name)
	if _, err := e.conn.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("register %s: %w", name, cleanErr(err))
	}
	e.views[name] = q
	return nil
}

// csvParts reads CSV files written by an Output step as text: one
// read_csv per distinct header, matched by column name. The dialect and
// the columns are given, not sniffed: DuckDB's sniffer reads every file
// each time a query binds the view, which cost a backfilled date of the
// demo more time than the queries over these files. A group whose files
// hold a record longer than read_csv reads by default is read with a
// max_line_size that fits it.
func (e *Engine) csvParts(files []string) ([]string, error) {
	var order []string
	groups := map[string][]string{} // columns (the struct literal) → files
	longest := map[string]int64{}   // columns → the longest record of its files
	for _, f := range files {
		header, err := csvHeader(f)
		if err != nil {
			return nil, err
		}
		n, err := e.longestCSVRecord(f)
		if err != nil {
			return nil, err
		}
		cols := make([]string, len(header))
		for i, c := range header {
			cols[i] = transforms.Literal(c) + ": 'VARCHAR'"
		}
		key := "{" + strings.Join(cols, ", ") + "}"
		if _, ok := groups[key]; !ok {
			order = append(order, key)
		}
		groups[key] = append(groups[key], transforms.Literal(f))
		longest[key] = max(longest[key], n)
	}
	parts := make([]string, len(order))
	for i, cols := range order {
		lines := ""
		if n := longest[cols]; n > csvDefaultMaxLine {
			// DuckDB asks for a little more than the record's bytes with
			// its line ending (2 bytes more, in the DuckDB of go.mod).
			lines = fmt.Sprintf(", max_line_size = %d", n+1024)
		}
		parts[i] = fmt.Sprintf(`SELECT * FROM read_csv([%s], auto_detect = false, header = true, delim = ',', quote = '"', escape = '"', columns = %s, filename = '_file'%s)`,
			strings.Join(groups[cols], ", "), cols, lines)
	}
	return parts, nil
}

// csvDefaultMaxLine is read_csv's default max_line_size: a longer record
// (a row with the newlines inside its quotes) fails the read. The default
// is kept where it serves: a larger one makes DuckDB read each file in
// fewer, larger buffers, and more slowly (a 5M-row export took 2.5 times
// as long with a limit of 400 MB).
const csvDefaultMaxLine = 2_000_000

// longestCSVRecord is the length in bytes of the longest record of CSV
// file f, or 0 when f is too short to hold one longer than
// csvDefaultMaxLine; it is read once per version of the file. A newline
// between quotes is the record's own (RFC 4180, with "" for a quote: it
// ends a quoted span and starts another).
func (e *Engine) longestCSVRecord(file string) (int64, error) {
	v, err := fileversion.Stat(file)
	if err != nil {
		return 0, err
	}
	if v.Size <= csvDefaultMaxLine {
		return 0, nil
	}
	key := fileVersion{file, v}
	if n, ok := e.csvLongest[key]; ok {
		return n, nil
	}
	f, err := os.Open(file)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var longest, record int64
	quoted := false
	buf := make([]byte, 1<<20)
	for {
		n, err := f.Read(buf)
		chunk := buf[:n]
		for len(chunk) > 0 {
			i := bytes.IndexAny(chunk, "\"\n")
			if i < 0 {
				record += int64(len(chunk))
				break
			}
			record += int64(i) + 1
			if chunk[i] == '"' {
				quoted = !quoted
			} else if !quoted {
				longest, record = max(longest, record), 0
			}
			chunk = chunk[i+1:]
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, fmt.Errorf("file %s: %w", file, err)
		}
	}
	longest = max(longest, record)
	e.csvLongest[key] = longest
	return longest, nil
}

// csvHeader reads the column names on a CSV file's first line.
func csvHeader(file string) ([]string, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	header, err := csv.NewReader(bufio.NewReader(f)).Read()
	if err != nil {
		return nil, fmt.Errorf("file %s: no header line: %w", file, err)
	}
	return header, nil
}

// arrowRows returns a relation over an Arrow IPC file's rows with the
// columns read_parquet would add: its hive folder values, _file and _row.
func (e *Engine) arrowRows(ctx context.Context, file string) (string, error) {
	table, hive, err := e.arrowTable(ctx, file)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("(SELECT *%s, %s AS _file, rowid AS _row FROM %s)", hive, transforms.Literal(file), transforms.Ident(table)), nil
}

// arrowColumns returns a relation over an Arrow IPC file's columns and its
// hive folders' (last), without the _file and _row a run adds.
func (e *Engine) arrowColumns(ctx context.Context, file string) (string, error) {
	table, hive, err := e.arrowTable(ctx, file)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("(SELECT *%s FROM %s)", hive, transforms.Ident(table)), nil
}

// arrowCopy is an Arrow IPC file as the engine holds it: the table of its
// rows and its hive folders as select-list items.
type arrowCopy struct{ table, hive string }

// arrowTable returns the temporary table an Arrow IPC file is copied into
// the first time (copyArrow), and its hive folders as select-list items.
func (e *Engine) arrowTable(ctx context.Context, file string) (table, hive string, err error) {
	v, err := fileversion.Stat(file)
	if err != nil {
		return "", "", err
	}
	key := fileVersion{file, v}
	if c, ok := e.arrow[key]; ok {
		return c.table, c.hive, nil
	}
	for _, h := range hiveFolders(file) {
		lit, err := e.hiveLiteral(ctx, h.value)
		if err != nil {
			return "", "", err
		}
		hive += ", " + lit + " AS " + transforms.Ident(h.key)
	}
	table = fmt.Sprintf("_optout_arrow_%d", len(e.arrow))
	if err := e.copyArrow(ctx, file, table); err != nil {
		if strings.Contains(err.Error(), "Invalid unicode") {
			// DuckDB checks the text arrow-go read; some of these messages quote it.
			return "", "", &engine.InvalidUTF8Error{File: file}
		}
		return "", "", cleanErr(err)
	}
	e.arrow[key] = arrowCopy{table, hive}
	return table, hive, nil
}

// hiveFolder is a key=value folder of a path: its key, its value (percent
// escapes decoded) and the folder's name as it is.
type hiveFolder struct{ key, value, folder string }

// hiveFolders reads the key=value folders of a path, decoding %XX in the
// values as DuckDB's hive partitioning does for Parquet (an escape that
// is not two hex digits stays as it is).
func hiveFolders(file string) []hiveFolder {
	var out []hiveFolder
	dir := filepath.ToSlash(filepath.Dir(file))
	for _, seg := range strings.Split(dir, "/") {
		k, v, ok := strings.Cut(seg, "=")
		if !ok || k == "" {
			continue
		}
		out = append(out, hiveFolder{k, unescapeHive(v), seg})
	}
	return out
}

// unescapeHive decodes each %XX of a folder value; a % not followed by two
// hex digits stays as it is.
func unescapeHive(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '%' && i+2 < len(v) && isHex(v[i+1]) && isHex(v[i+2]) {
			n, _ := strconv.ParseUint(v[i+1:i+3], 16, 8)
			b.WriteByte(byte(n))
			i += 2
			continue
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// hiveDefaultPartition is the folder value that stands for NULL.
const hiveDefaultPartition = "__HIVE_DEFAULT_PARTITION__"

// hiveLiteral types one folder value of an Arrow file as DuckDB's hive
// partitioning types a Parquet file's (its casts, asked of DuckDB itself):
// a DATE, else a TIMESTAMP, else a BIGINT unless it starts with a zero
// followed by a digit (007 stays text), else text; the default partition
// is NULL. TestArrowHiveFoldersReadAsParquetOnes holds the two together. An Arrow file of a folder customer_id=AC%2F7 or 007 read its
// id as AC%2F7 or 7 where Parquet reads AC/7 and 007, and the opt-out
// reached no customer, with exit 0.
func (e *Engine) hiveLiteral(ctx context.Context, v string) (string, error) {
	if v == hiveDefaultPartition {
		return "CAST(NULL AS VARCHAR)", nil
	}
	lit := transforms.Literal(v)
	var date, ts, integer bool
	err := e.conn.QueryRowContext(ctx, "SELECT TRY_CAST($1::VARCHAR AS DATE) IS NOT NULL, TRY_CAST($1::VARCHAR AS TIMESTAMP) IS NOT NULL, TRY_CAST($1::VARCHAR AS BIGINT) IS NOT NULL", v).Scan(&date, &ts, &integer)
	if err != nil {
		return "", fmt.Errorf("hive folder value: %w", err)
	}
	// DuckDB's casts are laxer than its hive typing, which reads a value
	// with a time as a TIMESTAMP, not a DATE, and takes no fraction,
	// exponent or plus sign as an integer.
	t := strings.TrimSpace(v)
	switch {
	case date && !strings.Contains(t, ":"):
		return "CAST(" + lit + " AS DATE)", nil
	case ts:
		return "CAST(" + lit + " AS TIMESTAMP)", nil
	case integer && !strings.ContainsAny(t, ".eE+") && !(len(t) > 1 && t[0] == '0' && '0' <= t[1] && t[1] <= '9'):
		return "CAST(" + lit + " AS BIGINT)", nil
	}
	return lit, nil
}

// tableIn is where the engine creates its own tables (a step's, an Arrow
// input's copy): TEMP TABLE, or a table of the work database.
func (e *Engine) tableIn() string {
	if !e.work {
		return "TEMP TABLE "
	}
	return "TABLE " + workCatalog + ".main."
}

// Run executes one step.
func (e *Engine) Run(ctx context.Context, s transforms.Step) (int64, []engine.Row, error) {
	if e.ProfileDir != "" {
		stop, err := e.profile(ctx, s.Name)
		if err != nil {
			return 0, nil, err
		}
		defer stop()
	}
	// Spliced as on BigQuery: the demo's 30-day backfill, many small
	// statements, ran in 0.975x the time (paired runs, n = 5); at 10M
	// customers no step moved beyond the machine's noise.
	s, err := transforms.Inlined(s)
	if err != nil {
		return 0, nil, err
	}
	var q string
	switch s.Kind {
	case transforms.Setup:
		q = s.SQL
	case transforms.Temp:
		q = "CREATE OR REPLACE " + e.tableIn() + transforms.Ident(transforms.TempName(s.Table)) + " AS\n" + s.SQL
	case transforms.Output:
		if s.Target == "" {
			return 0, nil, fmt.Errorf("step %s: no target", s.Name)
		}
		// zstd at level 1: files within 1 % of the default level's size
		// (10M customers: 165 MB against 164 MB; snappy 294 MB), written
		// in 0.93x the time (docs/decisions.md). A dictionary of at most
		// 1,000 values a row group: it serves the columns of few values
		// (states, flags, sources), and DuckDB stops building one for an
		// id, email or phone column sooner, before it gives up on it (the
		// 10M customers: the same bytes, copied in 0.84-0.88x the time).
		opts := "(FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1, DICTIONARY_SIZE_LIMIT 1000)"
		if s.Format == "csv" {
			opts = "(FORMAT csv, HEADER true)" // RFC 4180 quoting
		}
		q = "COPY (\n" + s.SQL + "\n) TO " + transforms.Literal(s.Target) + " " + opts
	case transforms.Check:
		e.statements.Add(int64(transforms.DuckDB.Statements(s.SQL)))
		rows, err := e.query(ctx, s.SQL, s.Args...)
		if err != nil {
			return 0, nil, fmt.Errorf("step %s: %w", s.Name, err)
		}
		return int64(len(rows)), rows, nil
	}
	e.statements.Add(int64(transforms.DuckDB.Statements(q)))
	var n int64
	if s.Kind == transforms.Temp {
		// CREATE TABLE AS returns its row count as a result row (not as
		// rows affected): one statement, not a second count(*) query.
		if err := e.conn.QueryRowContext(ctx, q, s.Args...).Scan(&n); err != nil {
			return 0, nil, fmt.Errorf("step %s: %w", s.Name, cleanErr(err))
		}
		return n, nil, nil
	}
	res, err := e.conn.ExecContext(ctx, q, s.Args...)
	if err != nil {
		return 0, nil, fmt.Errorf("step %s: %w", s.Name, cleanErr(err))
	}
	n, _ = res.RowsAffected()
	return n, nil, nil
}

// profile turns DuckDB's profiler on for the next statement, writing to
// ProfileDir/<step>.json; stop turns it off.
func (e *Engine) profile(ctx context.Context, step string) (stop func(), err error) {
	out := filepath.Join(e.ProfileDir, step+".json")
	q := "PRAGMA enable_profiling = 'json'; SET profiling_mode = 'detailed'; PRAGMA profiling_output = " + transforms.Literal(out)
	if _, err := e.conn.ExecContext(ctx, q); err != nil {
		return nil, fmt.Errorf("profile step %s: %w", step, err)
	}
	return func() { _, _ = e.conn.ExecContext(context.Background(), "PRAGMA disable_profiling") }, nil
}

// Statements is how many SQL statements Run has sent
// (engine.Steps.Statements).
func (e *Engine) Statements() int64 { return e.statements.Load() }

func (e *Engine) query(ctx context.Context, q string, args ...any) ([]engine.Row, error) {
	rows, err := e.conn.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, cleanErr(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []engine.Row
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		r := engine.Row{}
		for i, c := range cols {
			r[c] = vals[i]
		}
		out = append(out, r)
	}
	return out, cleanErr(rows.Err())
}

// Query runs an ad-hoc read (tests, explain) and returns its rows.
func (e *Engine) Query(ctx context.Context, q string, args ...any) ([]engine.Row, error) {
	return e.query(ctx, q, args...)
}

// invalidUTF8 is DuckDB's message for a Parquet text value that is not
// UTF-8; it quotes the value.
var invalidUTF8 = regexp.MustCompile(`Invalid string encoding found in Parquet file "(.*?)": value "`)

// quotedValue is a value DuckDB quotes in an error message.
var quotedValue = regexp.MustCompile(`"[^"]*"|'[^']*'`)

// cleanErr strips identifier values DuckDB quotes in its messages, and
// marks the failures that say nothing of the inputs (engine.RuntimeError).
func cleanErr(err error) error {
	if err == nil {
		return nil
	}
	if m := invalidUTF8.FindStringSubmatch(err.Error()); m != nil {
		return &engine.InvalidUTF8Error{File: m[1]}
	}
	msg := redact.String(err.Error())
	var de *duckdb.Error
	if errors.As(err, &de) && de.Type == duckdb.ErrorTypeConversion {
		// The value that did not convert is data: a phone in a time
		// field, written with separators the redactor does not know.
		msg = quotedValue.ReplaceAllString(msg, `"…"`)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || strings.Contains(msg, "No space left on device") ||
		errors.As(err, &de) && (de.Type == duckdb.ErrorTypeOutOfMemory || de.Type == duckdb.ErrorTypeInterrupt) {
		return &engine.RuntimeError{Msg: msg}
	}
	return errors.New(msg)
}

var integerTypes = map[string]bool{
	"TINYINT": true, "SMALLINT": true, "INTEGER": true, "BIGINT": true, "HUGEINT": true,
	"UTINYINT": true, "USMALLINT": true, "UINTEGER": true, "UBIGINT": true, "UHUGEINT": true,
}

func family(t string) schemas.Family {
	switch {
	case t == "VARCHAR":
		return schemas.String
	case t == "VARCHAR[]":
		return schemas.StringList
	case t == "BOOLEAN":
		return schemas.Boolean
	case t == "DATE":
		return schemas.Date
	case strings.HasPrefix(t, "TIMESTAMP"):
		return schemas.Timestamp
	case integerTypes[t]:
		return schemas.Integer
	case t == "FLOAT" || t == "DOUBLE" || strings.HasPrefix(t, "DECIMAL"):
		return schemas.Float
	case strings.HasPrefix(t, "STRUCT(") && strings.HasSuffix(t, ")[]"):
		return schemas.StructList
	case strings.HasPrefix(t, "STRUCT("):
		return schemas.Struct
	case strings.HasPrefix(t, "MAP("):
		return schemas.Map
	}
	return schemas.Other
}
