package bigquery

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"cloud.google.com/go/bigquery"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"

	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/internal/engine"
	"github.com/optout-dev/optout/schemas"
	"github.com/optout-dev/optout/transforms"
)

// Engine runs one run's steps as BigQuery jobs. Everything the run makes
// for itself — its inputs' copies with their row ids, the temporary
// tables of its steps, its staged outputs — lives in a scratch dataset of
// its own, created by Open with a one-day table expiration (a crashed run
// leaves nothing behind for long) and deleted by Close.
type Engine struct {
	*Client
	scratch string
	// calls finds a call of one of the functions the steps call (the
	// macros step's), which live in the scratch dataset (createFunctions).
	calls *regexp.Regexp
	// Dry makes the engine plan instead of run (optout plan): each query
	// is a dry run, whose byte estimate is kept in Estimates, and each
	// table a step would create is made empty, with the dry run's result
	// schema, so that the later steps' dry runs can name it. Check steps
	// return no rows. Nothing outside the scratch dataset is written.
	Dry       bool
	estimates []Estimate
	// KeepScratch makes Close leave the scratch dataset (its tables expire
	// after ScratchTTL), for inspecting a run's intermediate tables.
	KeepScratch bool
	// exports are the configured exports (their clustering and
	// Cloud Storage copies at the publish); at is the run's test hook.
	exports []config.Export
	at      engine.TestPoint
	// made are the scratch tables this engine created (createAs).
	made map[string]bool
}

// Estimate is what a dry run says one step would scan (and bill).
type Estimate = engine.Estimate

// Estimates are the dry runs' figures, in the order of the steps.
func (e *Engine) Estimates() []Estimate { return e.estimates }

var functionName = regexp.MustCompile(`CREATE TEMP FUNCTION (\w+)`)

var _ engine.Engine = (*Engine)(nil)

// ScratchTTL is the scratch dataset's default table expiration.
const ScratchTTL = 24 * time.Hour

var datasetUnsafe = regexp.MustCompile(`[^a-z0-9_]+`)

// ScratchDataset is the name of run runID's scratch dataset.
func ScratchDataset(cfg config.BigQuery, runID string) string {
	return cfg.Dataset + "_scratch_" + datasetUnsafe.ReplaceAllString(strings.ToLower(runID), "_")
}

// Open connects for run runID of date dt and creates its scratch dataset.
func Open(ctx context.Context, cfg config.BigQuery, runID, dt string, opts ...option.ClientOption) (*Engine, error) {
	c, err := New(ctx, cfg, runID, dt, opts...)
	if err != nil {
		return nil, err
	}
	e := &Engine{Client: c, scratch: ScratchDataset(cfg, runID), at: func(string) error { return nil }, made: map[string]bool{}}
	meta := &bigquery.DatasetMetadata{Location: cfg.Location, DefaultTableExpiration: ScratchTTL,
		Labels: map[string]string{"optout_run_id": c.labels["optout_run_id"]}}
	if err := c.bq.Dataset(e.scratch).Create(ctx, meta); err != nil {
		c.Close()
		return nil, mapError("create_scratch", "", fmt.Errorf("create the run's scratch dataset %s: %w", e.scratch, err), cfg.MaxBytesBilled)
	}
	return e, nil
}

// OpenWarehouse opens the engine for a run of cfg's output dataset: dry
// plans instead of running (optout plan), keepScratch leaves the scratch
// dataset for inspection, at is the run's test hook. An http:// endpoint
// (an emulator, a local proxy) gets no credentials: they would travel in
// clear text.
func OpenWarehouse(ctx context.Context, cfg *config.Config, runID, dt string, dry, keepScratch bool, at engine.TestPoint) (*Engine, error) {
	var opts []option.ClientOption
	if strings.HasPrefix(cfg.BigQuery.Endpoint, "http://") {
		opts = append(opts, option.WithoutAuthentication())
	}
	e, err := Open(ctx, cfg.BigQuery, runID, dt, opts...)
	if err != nil {
		return nil, err
	}
	e.Dry, e.KeepScratch, e.exports, e.at = dry, keepScratch, cfg.Exports, at
	return e, nil
}

// Scratch is the dataset of the run's own relations (transforms.Plan.Scratch).
func (e *Engine) Scratch() string { return e.scratch }

// Close deletes the scratch dataset and its tables (unless KeepScratch),
// and the client.
func (e *Engine) Close() error {
	if e.KeepScratch {
		return e.Client.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := e.bq.Dataset(e.scratch).DeleteWithContents(ctx)
	if err != nil {
		err = fmt.Errorf("delete the scratch dataset %s (it expires in a day): %w", e.scratch, err)
	}
	return errors.Join(err, e.Client.Close())
}

// Describe refuses files: on BigQuery every input is a table.
func (e *Engine) Describe(ctx context.Context, file string) ([]schemas.Field, error) {
	return nil, fmt.Errorf("file %s: engine bigquery reads tables only (give the input a table:)", file)
}

// Register refuses files: on BigQuery every input is a table.
func (e *Engine) Register(ctx context.Context, name string, files []string) error {
	return fmt.Errorf("register %s: engine bigquery reads tables only, not files", name)
}

// DescribeTable reads a table's columns from its metadata; table is
// project.dataset.table, or dataset.table in the configured project.
func (e *Engine) DescribeTable(ctx context.Context, table string) ([]schemas.Field, error) {
	t, err := e.tableRef(table)
	if err != nil {
		return nil, err
	}
	meta, err := t.Metadata(ctx)
	if err != nil {
		return nil, mapError("describe", "", fmt.Errorf("table %s: %w", table, err), e.cfg.MaxBytesBilled)
	}
	out := make([]schemas.Field, len(meta.Schema))
	for i, f := range meta.Schema {
		out[i] = schemas.Field{Name: f.Name, Type: typeName(f), Family: family(f)}
	}
	return out, nil
}

func (e *Engine) tableRef(table string) (*bigquery.Table, error) {
	parts := strings.Split(table, ".")
	switch len(parts) {
	case 2:
		return e.bq.Dataset(parts[0]).Table(parts[1]), nil
	case 3:
		return e.bq.DatasetInProject(parts[0], parts[1]).Table(parts[2]), nil
	}
	return nil, fmt.Errorf("table %s: name it project.dataset.table or dataset.table", table)
}

// RegisterTable copies a table once into the scratch dataset as name, with
// _file ("table:" and its name) and _row. The row id must stay fixed for
// the run and be unique, and BigQuery has none: the rows are spread over
// 65,536 buckets by a fingerprint of their JSON text, and a row's id is
// its position in its bucket's rows sorted by that text, plus bucket·2²⁶.
// The work is a GROUP BY, spread over the workers; a numbering of the
// whole table (ROW_NUMBER() OVER ()) would sort it on one. A bucket's
// array holds about n/65,536 rows (1,500 at 100M). Identical rows get
// distinct ids in an arbitrary order, which no output can tell apart. Ids
// stay below 2⁴², so the XDM adapter's _row·2²⁰ + i fits in INT64.
//
// Given inPlaceColumns the table is read in place, through a view of
// those columns that adds _file and a NULL _row: no copy to bill, write
// and store, and each step that reads the view reads the table as it is
// then (inPlace).
func (e *Engine) RegisterTable(ctx context.Context, name, table string, inPlaceColumns []string) (bool, error) {
	if inPlaceColumns != nil {
		return true, e.registerView(ctx, name, table, inPlaceColumns)
	}
	sql := fmt.Sprintf(`SELECT r.*, CAST(? AS STRING) AS _file, _optout_bucket * 67108864 + _optout_offset AS _row
FROM (
  SELECT _optout_bucket, ARRAY_AGG(t ORDER BY TO_JSON_STRING(t)) AS _optout_rows
  FROM (SELECT t, ABS(MOD(FARM_FINGERPRINT(TO_JSON_STRING(t)), 65536)) AS _optout_bucket FROM %s AS t)
  GROUP BY _optout_bucket
), UNNEST(_optout_rows) AS r WITH OFFSET _optout_offset`, transforms.BigQuery.QualifiedName(table))
	if err := e.createAs(ctx, "register_"+name, name, sql, "table:"+table); err != nil {
		return false, fmt.Errorf("copy table %s: %w", table, err)
	}
	if e.Dry { // the plan's input scans name the copy
		e.estimates[len(e.estimates)-1].Copies = name
	}
	return false, nil
}

// registerView makes name a view of the scratch dataset over the columns
// of table, with _file and a NULL _row; a dry engine makes it too (a view
// bills nothing), so that the plan's dry runs read the table itself. The
// columns are those the run described: a column another job adds while
// the run goes (an identifier the keys never read) stays out of every
// read, where t.* would have brought it into the second. Each date of a
// backfill makes it again: the scratch dataset's tables expire after a
// day, views too, and the emulator ignores CREATE OR REPLACE.
func (e *Engine) registerView(ctx context.Context, name, table string, columns []string) error {
	if e.made[name] {
		if _, err := e.Exec(ctx, "drop_register_"+name, "DROP VIEW IF EXISTS "+e.relation(name)); err != nil {
			return err
		}
	}
	cols := make([]string, len(columns))
	for i, c := range columns {
		cols[i] = "t." + transforms.BigQuery.Ident(c)
	}
	q := fmt.Sprintf("CREATE VIEW %s AS\nSELECT %s, %s AS _file, CAST(NULL AS INT64) AS _row FROM %s AS t",
		e.relation(name), strings.Join(cols, ", "), transforms.BigQuery.Literal("table:"+table), transforms.BigQuery.QualifiedName(table))
	if _, err := e.Exec(ctx, "register_"+name, q); err != nil {
		return fmt.Errorf("view of table %s: %w", table, err)
	}
	e.made[name] = true
	return nil
}

// createAs makes the scratch table name from a query: CREATE TABLE AS,
// or on a dry engine a dry run and an empty table of the result's schema.
func (e *Engine) createAs(ctx context.Context, step, name, query string, args ...any) error {
	if !e.Dry {
		// A backfill's dates share the scratch dataset, and each date makes
		// its copies and staged outputs again: the table made before goes
		// first (the emulator ignores CREATE OR REPLACE).
		if e.made[name] {
			if _, err := e.Exec(ctx, "drop_"+step, "DROP TABLE IF EXISTS "+e.relation(name)); err != nil {
				return err
			}
		}
		if _, err := e.Exec(ctx, step, e.withFunctions("CREATE TABLE "+e.relation(name)+" AS\n"+query), args...); err != nil {
			return err
		}
		e.made[name] = true
		return nil
	}
	schema, err := e.dryRun(ctx, step, e.withFunctions(query), args...)
	if err != nil {
		return err
	}
	if len(schema) == 0 {
		return fmt.Errorf("step %s: the dry run returned no result schema", step)
	}
	if err := e.bq.Dataset(e.scratch).Table(name).Create(ctx, &bigquery.TableMetadata{Schema: schema}); err != nil {
		return mapError(step, "", fmt.Errorf("create the empty table %s for the plan: %w", name, err), e.cfg.MaxBytesBilled)
	}
	return nil
}

// dryRun dry-runs a query, keeping its estimate.
func (e *Engine) dryRun(ctx context.Context, step, query string, args ...any) (bigquery.Schema, error) {
	n, schema, err := e.DryRun(ctx, step, query, args...)
	if err != nil {
		return nil, err
	}
	e.estimates = append(e.estimates, Estimate{Step: step, Bytes: n})
	return schema, nil
}

func (e *Engine) relation(name string) string {
	return transforms.BigQuery.Relation(e.scratch, name)
}

// Run executes one step: the macros step's functions are created in the
// scratch dataset; Temp and Output steps create their table there (an
// Output step's Target names it); Check steps return their rows.
func (e *Engine) Run(ctx context.Context, s transforms.Step) (int64, []engine.Row, error) {
	if s.Name == transforms.FreeStepName {
		// The scratch dataset goes as a whole when the engine closes, and
		// a table kept there costs nothing until then; the emulator, on
		// the other hand, analyzes every DROP against its whole catalog.
		return 0, nil, nil
	}
	if s.Name == "macros" {
		return 0, nil, e.createFunctions(ctx, s)
	}
	s, err := transforms.Inlined(s)
	if err != nil {
		return 0, nil, err
	}
	sql, args := s.SQL, s.Args
	var table string
	switch s.Kind {
	case transforms.Setup:
		_, err := e.Exec(ctx, s.Name, sql, args...)
		return 0, nil, err
	case transforms.Temp:
		table = transforms.TempName(s.Table)
	case transforms.Output:
		if s.Target == "" {
			return 0, nil, fmt.Errorf("step %s: no target", s.Name)
		}
		table = s.Target
	case transforms.Check:
		if e.Dry {
			_, err := e.dryRun(ctx, s.Name, e.withFunctions(sql), args...)
			return 0, nil, err
		}
		res, err := e.Query(ctx, s.Name, e.withFunctions(sql), args...)
		if err != nil {
			return 0, nil, err
		}
		rows := make([]engine.Row, len(res.Rows))
		for i, r := range res.Rows {
			rows[i] = engine.Row{}
			for k, v := range r {
				rows[i][k] = v
			}
		}
		return int64(len(rows)), rows, nil
	}
	if err := e.createAs(ctx, s.Name, table, sql, args...); err != nil {
		return 0, nil, err
	}
	if e.Dry {
		return 0, nil, nil
	}
	n, err := e.rowCount(ctx, s.Name, table)
	return n, nil, err
}

// rowCount is the number of rows of a table of the scratch dataset, as
// BigQuery keeps it (tabledata.list's total, one row read): no query job,
// which would add a job's latency to every step, and on the emulator a
// dataset for the job's result, which made every later statement costlier.
func (e *Engine) rowCount(ctx context.Context, step, name string) (int64, error) {
	it := e.bq.Dataset(e.scratch).Table(name).Read(ctx)
	it.PageInfo().MaxSize = 1
	var row []bigquery.Value
	if err := it.Next(&row); err != nil && !errors.Is(err, iterator.Done) {
		return 0, mapError(step+"_count", "", fmt.Errorf("count the rows of %s: %w", name, err), e.cfg.MaxBytesBilled)
	}
	return int64(it.TotalRows), nil
}

// createFunctions creates the macros step's functions in the scratch
// dataset, once, where every later statement calls them (withFunctions).
// The step defines them as temporary functions, which BigQuery keeps for
// one job only: sent before every statement that called one, all 19 were
// parsed again for each, and the emulator kept what each of those
// definitions allocated (docs/decisions.md). They go with the scratch
// dataset. A dry engine creates them too, in the scratch dataset like the
// plan's empty tables: the dry runs name them.
func (e *Engine) createFunctions(ctx context.Context, s transforms.Step) error {
	var names []string
	for _, m := range functionName.FindAllStringSubmatch(s.SQL, -1) {
		names = append(names, regexp.QuoteMeta(m[1]))
	}
	if len(names) == 0 {
		return nil
	}
	e.calls = regexp.MustCompile(`\b(?:` + strings.Join(names, "|") + `)\(`)
	sql := strings.ReplaceAll(s.SQL, "CREATE TEMP FUNCTION ", "CREATE OR REPLACE FUNCTION ")
	_, err := e.Exec(ctx, s.Name, e.withFunctions(sql))
	return err
}

// withFunctions qualifies each call of one of the run's functions (its
// name, then "(", as the SQL templates write them) with the scratch
// dataset, where createFunctions made them; a name already qualified
// (after . or `) is left.
func (e *Engine) withFunctions(sql string) string {
	if e.calls == nil {
		return sql
	}
	prefix := transforms.BigQuery.Ident(e.scratch) + "."
	var b strings.Builder
	last := 0
	for _, m := range e.calls.FindAllStringIndex(sql, -1) {
		if m[0] > 0 && strings.ContainsRune(".`", rune(sql[m[0]-1])) {
			continue
		}
		b.WriteString(sql[last:m[0]])
		b.WriteString(prefix)
		last = m[0]
	}
	b.WriteString(sql[last:])
	return b.String()
}

// TableSchema returns the columns of a table of the scratch dataset.
func (e *Engine) TableSchema(ctx context.Context, name string) (bigquery.Schema, error) {
	meta, err := e.bq.Dataset(e.scratch).Table(name).Metadata(ctx)
	if err != nil {
		return nil, mapError("describe_"+name, "", err, e.cfg.MaxBytesBilled)
	}
	return meta.Schema, nil
}

// typeName is a column's type as GoogleSQL spells it.
func typeName(f *bigquery.FieldSchema) string {
	t := string(f.Type)
	switch f.Type {
	case bigquery.IntegerFieldType:
		t = "INT64"
	case bigquery.FloatFieldType:
		t = "FLOAT64"
	case bigquery.BooleanFieldType:
		t = "BOOL"
	case bigquery.RecordFieldType:
		parts := make([]string, len(f.Schema))
		for i, sub := range f.Schema {
			parts[i] = sub.Name + " " + typeName(sub)
		}
		t = "STRUCT<" + strings.Join(parts, ", ") + ">"
	}
	if f.Repeated {
		return "ARRAY<" + t + ">"
	}
	return t
}

func family(f *bigquery.FieldSchema) schemas.Family {
	if f.Repeated {
		switch f.Type {
		case bigquery.StringFieldType:
			return schemas.StringList
		case bigquery.RecordFieldType:
			if len(f.Schema) == 2 && f.Schema[0].Name == "key" && f.Schema[1].Name == "value" {
				return schemas.Map // BigQuery's form of a map (Dialect type text_map)
			}
			return schemas.StructList
		}
		return schemas.Other
	}
	switch f.Type {
	case bigquery.StringFieldType:
		return schemas.String
	case bigquery.IntegerFieldType:
		return schemas.Integer
	case bigquery.FloatFieldType, bigquery.NumericFieldType, bigquery.BigNumericFieldType:
		return schemas.Float
	case bigquery.BooleanFieldType:
		return schemas.Boolean
	case bigquery.TimestampFieldType, bigquery.DateTimeFieldType:
		return schemas.Timestamp
	case bigquery.DateFieldType:
		return schemas.Date
	case bigquery.RecordFieldType:
		return schemas.Struct
	}
	return schemas.Other
}
