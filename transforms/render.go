// Package transforms turns a run's inputs and dates into the ordered list of
// steps (SQL rendered from sql/ templates, with bind parameters) that an
// engine executes; it does no I/O. It also holds the Go reference
// implementation of the normalization rules the SQL is tested against.
package transforms

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"sync"
	"text/template"
	"time"

	optoutsql "github.com/optout-dev/optout/sql"
)

// Kind says what an engine does with a step's query.
type Kind int

const (
	// Temp materializes the query as a temporary table named Table.
	Temp Kind = iota
	// Output writes the query's rows to the output table Table (for dt=D
	// when PerDate) at the location the job puts in Target.
	Output
	// Check returns the query's (few) rows to the job.
	Check
	// Setup runs the statement(s) as they are.
	Setup
)

func (k Kind) String() string {
	return [...]string{Temp: "temp table", Output: "output", Check: "check", Setup: "setup"}[k]
}

// Step is one unit of work: a query and what becomes of its rows.
type Step struct {
	Name    string
	Kind    Kind
	Table   string // temp table name, or output table path ("quarantine/web_form")
	PerDate bool
	SQL     string
	Args    []any
	Target  string // set by the job for Output steps: where the rows go
	// Output steps: the file format ("parquet" when empty) and file name
	// ("part-0.<format>" when empty).
	Format, FileName string
	// Export names the export an export or leak_check step belongs to;
	// WrittenView is the relation the job registers over the written file.
	Export, WrittenView string
	// Free names the steps whose temporary tables no later step reads
	// (set by Plan.Build).
	Free []string
	// FromTables marks a Validate step that reads earlier steps' tables
	// (and the previous run's published state), not an input: its failure
	// is the run's, not an input's.
	FromTables bool
	// OnlyInput names the input whose relation is all this step reads
	// (besides the macros, which never change, and OnlyTables): run again
	// with the same SQL and arguments over the same files, it makes the
	// same table, rows or file, so a backfill may keep them from one date
	// to the next.
	OnlyInput string
	// OnlyTables names the steps whose tables are all this step reads
	// (besides the macros and OnlyInput), steps a backfill keeps
	// themselves: made again from the same tables with the same SQL and
	// arguments, it makes the same result, so it may be kept too.
	OnlyTables []string
	// ReadsNothing marks a step that reads no input and no table (the
	// macros, the calendar): its SQL and arguments alone decide what it
	// makes, so a backfill may keep it while they stay the same.
	ReadsNothing bool
	// Reads are the relations (unquoted names) the step's template named
	// through tmp and rel: what it depends on, declared as it renders (as
	// dbt's ref() does), never found by scanning the SQL.
	Reads []string
}

// renderer renders templates in one dialect, one at a time; each render
// call collects its own bind args.
type renderer struct {
	tmpl    *template.Template // the parsed templates, shared
	bound   *template.Template // this renderer's clone of tmpl (bind)
	args    []any              // the bind values of the render in progress
	reads   []string           // the relations the render in progress named (Step.Reads)
	dialect Dialect
	// scratch is the dataset the run's own relations live in on BigQuery
	// (its inputs' copies, temporary and staged tables); empty: unqualified.
	scratch string
}

// parsed holds the templates of each dialect, parsed once per process: a
// run builds several renderers, a backfill one set per date. They are
// never executed themselves (render executes a clone), so they are shared.
var parsed sync.Map // Dialect → *template.Template

func newRenderer(d Dialect) (*renderer, error) {
	if t, ok := parsed.Load(d); ok {
		return &renderer{tmpl: t.(*template.Template), dialect: d}, nil
	}
	t := template.New("").Option("missingkey=error").Funcs(baseFuncs()).Funcs(d.funcs())
	t, err := t.ParseFS(optoutsql.FS, "*.sql", "explain/*.sql", "report/*.sql")
	if err != nil {
		return nil, fmt.Errorf("parse sql templates: %w", err)
	}
	parsed.Store(d, t)
	return &renderer{tmpl: t, dialect: d}, nil
}

// templateName is the template of step name in the renderer's dialect:
// the step's own file <name>.sql, or <name>.bigquery.sql where the
// BigQuery form truly differs. A name with a .sql suffix names a file
// (macros.sql); one without, and without a file, a fragment defined in
// fragments.sql.
func (r *renderer) templateName(name string) string {
	file, isFile := strings.CutSuffix(name, ".sql")
	if !isFile && r.tmpl.Lookup(name+".sql") == nil {
		return name
	}
	if r.dialect == BigQuery && r.tmpl.Lookup(file+".bigquery.sql") != nil {
		return file + ".bigquery.sql"
	}
	return file + ".sql"
}

// render executes the template of step name (templateName) with data;
// param calls become '?' and their values are returned in order.
func (r *renderer) render(name string, data any) (string, []any, error) {
	name = r.templateName(name)
	if r.bound == nil {
		if err := r.bind(); err != nil {
			return "", nil, err
		}
	}
	r.args, r.reads = nil, nil
	var buf bytes.Buffer
	if err := r.bound.ExecuteTemplate(&buf, name, data); err != nil {
		return "", nil, fmt.Errorf("render %s: %w", name, err)
	}
	return strings.TrimSpace(buf.String()), r.args, nil
}

// bind makes the renderer's own copy of the templates, whose param
// functions collect the bind values of the render in progress (one clone
// a renderer, not one a render: a plan renders ~90 steps).
func (r *renderer) bind() error {
	t, err := r.tmpl.Clone()
	if err != nil {
		return err
	}
	rel := func(name string) string {
		r.reads = append(r.reads, name)
		return r.dialect.Relation(r.scratch, name)
	}
	param := func(v any) string {
		r.args = append(r.args, v)
		return "?"
	}
	t.Funcs(template.FuncMap{
		"param": param,
		"listParam": func(typ string, elems any) (string, error) {
			return r.listParam(param, typ, elems)
		},
		"dateParam": func(t time.Time) string { return r.dialect.Cast(param(Day(t)), "date") },
		"rel":       rel,
		"tmp":       func(step string) string { return rel(TempName(step)) },
	})
	r.bound = t
	return nil
}

// Ident quotes an SQL identifier for DuckDB (Dialect.Ident quotes for either).
func Ident(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// Literal quotes a string constant of the program (never config or data:
// those are bind parameters).
func Literal(s string) string { return `'` + strings.ReplaceAll(s, `'`, `''`) + `'` }

func baseFuncs() template.FuncMap {
	return template.FuncMap{
		"param":     func(any) string { panic("param is bound per render") },
		"listParam": func(string, any) string { panic("listParam is bound per render") },
		"dateParam": func(time.Time) string { panic("dateParam is bound per render") },
		"rel":       func(string) string { panic("rel is bound per render") },
		"tmp":       func(string) string { panic("tmp is bound per render") },
		"join":      strings.Join,
		// invalidColumn names a row's check column of an identifier kind (RowKeys.Checks).
		"invalidColumn": InvalidColumn,
		"roundRatio":    roundRatio,
		"roundDays":     roundDays,
		// utcSeconds renders an instant as explain prints one (UTC, to the second).
		"utcSeconds": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05Z") },
	}
}

// TempName is the engine-side name of a step's temporary table (unquoted).
func TempName(step string) string { return "_optout_" + step }

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// MacrosStep renders the Setup step that defines the normalization macros.
func MacrosStep(d Dialect) (Step, error) {
	r, err := newRenderer(d)
	if err != nil {
		return Step{}, err
	}
	sql, args, err := r.render("macros.sql", nil)
	return Step{Name: "macros", Kind: Setup, SQL: sql, Args: args, ReadsNothing: true}, err
}

// BigQueryGPPFunction renders the statement that defines optout_gpp on
// BigQuery (a temporary JavaScript UDF; see sql/gpp.bigquery.sql).
func BigQueryGPPFunction() (string, error) {
	r, err := newRenderer(DuckDB)
	if err != nil {
		return "", err
	}
	sql, _, err := r.render("bigquery_udf_optout_gpp", nil)
	return sql, err
}

// WriteBack is what a write-back reads and writes (SPEC §3.2).
type WriteBack struct {
	Table    string // the customers table, quoted
	IDColumn string // its customer id column, quoted
	// D's flags: DuckDB reads the published file FlaggedFile; BigQuery
	// the dt = Date partition of the output table FlaggedTable (quoted).
	FlaggedFile  string
	FlaggedTable string
	Date         time.Time
}

// WriteBackSteps renders the write-back of D's published flags onto the
// customers table in dialect d, matched on its customer id column: first
// the flag columns, added when missing, then the update of the rows whose
// flags differ.
func WriteBackSteps(d Dialect, w WriteBack) ([]Step, error) {
	r, err := newRenderer(d)
	if err != nil {
		return nil, err
	}
	var steps []Step
	for _, name := range []string{"write_back_columns", "write_back_update"} {
		sql, args, err := r.render(name, w)
		if err != nil {
			return nil, err
		}
		steps = append(steps, Step{Name: name, Kind: Setup, SQL: sql, Args: args})
	}
	return steps, nil
}
