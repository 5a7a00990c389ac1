// Package engine defines the small interface the jobs drive an SQL engine
// through; the adapters live in its subpackages.
package engine

import (
	"context"
	"path/filepath"
	"strings"
	"time"

	"github.com/optout-dev/optout/schemas"
	"github.com/optout-dev/optout/transforms"
)

// IsArrow reports whether a file name is Arrow IPC (.arrow, .feather, .ipc).
func IsArrow(file string) bool {
	switch strings.ToLower(filepath.Ext(file)) {
	case ".arrow", ".feather", ".ipc":
		return true
	}
	return false
}

// InvalidUTF8Error is an input file holding a text value that is not UTF-8.
// The engine's own message quotes the value, so only the file is kept; the
// jobs name the input, column and row (SPEC §7: never a value).
type InvalidUTF8Error struct{ File string }

func (e *InvalidUTF8Error) Error() string {
	return "file " + e.File + ": a value is not valid UTF-8"
}

// RuntimeError is an engine failure that says nothing of the inputs: out
// of memory, no space left for spilling, a query interrupted. A run it
// stops while reading its inputs failed (exit 1); its inputs were not
// found wanting (exit 3, which a scheduler does not retry).
type RuntimeError struct{ Msg string }

func (e *RuntimeError) Error() string { return e.Msg }

// OwnDate names the column a per-date output table's own dt column is
// published and read as, dt being the date of the run that published the
// row (BigQuery's partition column, DuckDB's dt= folder): the export's
// date of a third-party notification, the input's own dt column of a
// quarantined row (a hive-partitioned input's folder date, say); "" for a
// table without one. table is named as output folders are.
func OwnDate(table string) string {
	switch {
	case table == "third_party_notifications":
		return "export_dt"
	case strings.HasPrefix(table, "quarantine/"):
		return "input_dt"
	}
	return ""
}

// Row is one row of a Check step's result, by column name.
type Row map[string]any

// Engine is the one interface jobs/ drives: the steps of a run and the
// output they publish to, with the whole run lifecycle (lock, staging,
// all-or-nothing publish, earlier dates, write-back, retention). Each engine
// does the lifecycle natively: DuckDB with files, a lock file and a
// publish journal; BigQuery with a scratch dataset, a lock table and one
// transaction. It is chosen once, where it is opened (package open).
type Engine interface {
	Steps
	Output
	Close() error
}

// Steps executes rendered SQL over the inputs.
type Steps interface {
	// Dialect is the SQL dialect the steps must be rendered in.
	Dialect() transforms.Dialect
	// Scratch is where the run's own relations live (transforms.Plan.Scratch):
	// BigQuery's scratch dataset; "" for DuckDB's session.
	Scratch() string
	// Describe returns the columns of one input file.
	Describe(ctx context.Context, file string) ([]schemas.Field, error)
	// Register makes files queryable as the relation name, with the
	// columns _file (path) and _row (row number within the file) added.
	Register(ctx context.Context, name string, files []string) error
	// DescribeTable returns the columns of a warehouse table.
	DescribeTable(ctx context.Context, table string) ([]schemas.Field, error)
	// RegisterTable makes a warehouse table queryable as the relation name,
	// with _file ("table:" and its name) and _row (a stable row id) added.
	// Given inPlaceColumns, an engine that would copy the table to number
	// its rows (BigQuery) may instead read it where it is, through a view
	// of exactly those columns with a NULL _row, for an input whose steps
	// identify its rows otherwise (the customers, by customer_id). inPlace
	// says it did: the steps then read the table itself, which another job
	// may change while the run goes, and the plan proves that its reads saw
	// the same rows (transforms.Source.InPlace).
	RegisterTable(ctx context.Context, name, table string, inPlaceColumns []string) (inPlace bool, err error)
	// Run executes a step: Setup and Temp steps run, Output steps write
	// their rows to step.Target, Check steps return their rows. It returns
	// the rows written (Temp, Output) and the rows of a Check. A FreeStep
	// drops temporary tables no later step reads; an engine that keeps
	// them to the end (BigQuery's scratch dataset) may skip it.
	Run(ctx context.Context, step transforms.Step) (int64, []Row, error)
	// Statements is how many SQL statements the engine has been sent so
	// far, each statement of a multi-statement text counted
	// (Dialect.Statements) and a step it skips not: a run counts its
	// steps' statements as the growth of this across each Run.
	Statements() int64
}

// Output is where the published outputs live. Tables are named as output
// folders are: "optout_state", "exports/<name>", "metrics/<metric>".
type Output interface {
	// Where names the output for people: a folder, or bigquery:project.dataset.
	Where() string
	// OutputDataset names an output table for lineage (OpenLineage's
	// namespace and name); ok is false for a table this engine does not
	// write (export_manifest is each export's _SUCCESS in a folder).
	OutputDataset(table string) (namespace, name string, ok bool)
	// TableDataset names a warehouse input table for lineage.
	TableDataset(table string) (namespace, name string)
	// Settle finishes a publish that an earlier process committed and did
	// not finish, so that no command reads a date half published. A reader
	// (writer false) reads on while a run holds the output: that run
	// finishes its own publish.
	Settle(ctx context.Context, writer bool) error
	// Lock makes the caller the output's only writer until unlock; it
	// settles an interrupted publish first.
	Lock(ctx context.Context, runID string) (unlock func() error, err error)
	// Partitions lists the dates (YYYY-MM-DD, sorted) a per-date output
	// table holds; none when it does not exist.
	Partitions(ctx context.Context, table string) ([]string, error)
	// Tables lists the output tables under group ("exports",
	// "suppression"), including those of exports no longer configured.
	Tables(ctx context.Context, group string) ([]string, error)
	// ReadPublished makes the published table queryable as view: date dt
	// of a per-date table, or all of it when dt is "". It reports false,
	// registering nothing, when there is nothing published.
	ReadPublished(ctx context.Context, view, table, dt string) (bool, error)
	// Begin starts staging the outputs of one run.
	Begin(ctx context.Context, run RunInfo) (Stage, error)
	// WriteBack puts the flags of date dt's published customers_flagged
	// onto the customers warehouse table in one atomic change, touching
	// only rows whose flags differ, and returns how many it changed.
	WriteBack(ctx context.Context, table, dt string) (int64, error)
	// WriteBackSteps are the statements WriteBack would run, for a plan.
	WriteBackSteps(ctx context.Context, table, dt string) ([]transforms.Step, error)
	// FlagTypes are the types WriteBack gives the flag columns, as
	// DescribeTable spells them (CheckFlagColumns).
	FlagTypes() map[string]string
	// DropPartitions removes the given dates of a per-date output table.
	DropPartitions(ctx context.Context, table string, dates []string) error
	// RecordRun writes a run's runs row, rendered by step, replacing the
	// one its publish staged.
	RecordRun(ctx context.Context, runID string, step transforms.Step) error
	// Catalog refreshes what analysts open to query the outputs by name
	// (DuckDB's catalog file); a failure is the returned error, which the
	// caller logs: the outputs are already published.
	Catalog(ctx context.Context) error
	// Estimates are the bytes each dry-run query would bill (`optout
	// plan` on BigQuery); none on an engine that bills nothing.
	Estimates() []Estimate
}

// RunInfo is what the output needs to know of the run it stages.
type RunInfo struct {
	ID, Date string
	Now      time.Time
}

// Stage holds one run's outputs until they are published all at once.
type Stage interface {
	// History makes the export files earlier runs published, of every
	// date and every export, configured today or not, queryable: one or
	// more views per export, each over files written the same way
	// (transforms.PublishedAs). It says when each file was published;
	// when the run's own date was published before, First holds that
	// time, which a rerun keeps.
	History(ctx context.Context) (History, error)
	// NarrowHistory makes the history views read only the exports dated
	// on or after from (YYYY-MM-DD): the earlier ones cannot matter.
	NarrowHistory(ctx context.Context, from string) error
	// Target is where Output step s writes its rows while staged.
	Target(s transforms.Step) (string, error)
	// Written is told once s has written its Target: an export's rows
	// become queryable as s.WrittenView, as written, for its leak check.
	Written(ctx context.Context, s transforms.Step) error
	// Checked marks an export that passed its leak check as complete,
	// with how its file was written and when its date was first published.
	Checked(ctx context.Context, m transforms.Manifested) error
	// Kept identifies the output s wrote, once published, for a later run
	// on the same engine (a backfill's next date) to reuse.
	Kept(s transforms.Step) (Kept, bool)
	// Reuse writes a kept output to s's Target as s would have; false
	// leaves s to run.
	Reuse(s transforms.Step, k Kept) bool
	// Publish makes every staged output of the date visible at once, with
	// the runs row (rendered by runsRow, status published); a failure
	// after its commit point is finished by the next Settle.
	Publish(ctx context.Context, runsRow transforms.Step) error
	// Discard drops what was staged, unless it was published.
	Discard()
}

// History is what Stage.History found.
type History struct {
	Views     []transforms.HistoryView // the views over the published files, each read as written
	Published []transforms.Published
	First     map[string]string // per export, when the run's own date was first published (RFC 3339)
}

// Kept is an output a run wrote, as published: a later run may copy it
// while it is unchanged.
type Kept struct {
	File string
	Size int64
	Mod  time.Time
}

// Estimate is one dry-run query's billed bytes.
type Estimate struct {
	Step  string
	Bytes int64
	// Copies is the relation the query copies a warehouse table into, when
	// it registers an input (BigQuery's copy of each input table).
	Copies string
}

// TestPoint is called at named points of a run's lifecycle; it returns an
// error only where a test injects one (package testpoint).
type TestPoint func(point string) error
