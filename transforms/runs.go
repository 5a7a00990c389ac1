package transforms

import (
	"encoding/json"
	"time"
)

// RunRecord is what the runs table keeps of one run (SPEC §6).
type RunRecord struct {
	RunID, Engine, Version, Status, Error string
	Date, Now, StartedAt                  time.Time
	ExitCode                              int
	DurationMS                            int64
	Inputs                                []FileCount
	Outputs                               []OutputCount
	Steps                                 []StepTime
	// Statements is how many SQL statements the engine ran for the steps
	// (engine.Steps.Statements): not those of a step a backfill kept from
	// an earlier date, nor of one the engine skips.
	Statements       int64
	LeakChecks       []LeakCheck
	LedgerRemoved    int64            // requests older than policy.retention_months removed
	LedgerCutoff     string           // RFC 3339: the ledger dropped requests received before it ("": none)
	WriteBackRows    int64            // customers rows whose flags write-back changed
	RetentionRemoved []PartitionCount // per-date partitions removed, per table
	Provisional      bool             // run before D ended (--provisional); a later run of D replaces it
	// Published: the run's publish committed, so D's outputs are this
	// run's even when a later step (write-back, retention) failed it.
	Published bool
	// InputColumns: the contracted columns each input had (in any of its
	// files), which the next run holds its inputs to (jobs/columns.go).
	InputColumns []InputColumn
	// InputValuesGiven: the identifier kinds, and a request source's
	// status and categories, each input gave 1,000 values or more of
	// (Column holds the kind or the column), which the next run holds its
	// inputs to as well: a column emptied upstream (jobs/columns.go).
	InputValuesGiven []InputColumn
}

// InputColumn is one contracted column an input had, or one identifier
// kind (or request column) it gave values of.
type InputColumn struct {
	Input  string `sql:"input"`
	Column string `sql:"name"`
}

// LeakCheck is the result of one export's leak check; the runs table keeps
// failures too, which the sync metric counts.
type LeakCheck struct {
	Export      string `sql:"export"`
	Destination string `sql:"destination"`
	Result      string `sql:"result"`
	Leaks       int64  `sql:"leaks"`
}

// FileCount is one input file's row accounting: read = used + quarantined +
// after the as-of instant.
type FileCount struct {
	Input              string `sql:"input"`
	File               string `sql:"file"`
	RowsRead           int64  `sql:"rows_read"`
	RowsUsed           int64  `sql:"rows_used"`
	RowsQuarantined    int64  `sql:"rows_quarantined"`
	RowsAfterAsOf      int64  `sql:"rows_after_as_of"`
	InvalidIdentifiers int64  `sql:"invalid_identifiers"`
}

// OutputCount is the number of rows a run wrote to one output table.
type OutputCount struct {
	Table string `sql:"table"`
	Rows  int64  `sql:"rows"`
}

// PartitionCount is the number of per-date partitions retention removed
// from one output table.
type PartitionCount struct {
	Table      string `sql:"table"`
	Partitions int64  `sql:"partitions"`
}

// StepTime is the wall time of one step.
type StepTime struct {
	Step string `json:"step" sql:"step"`
	MS   int64  `json:"ms" sql:"ms"`
}

// RunsStep renders, in dialect d, the Output step that writes the runs row.
func RunsStep(d Dialect, rec RunRecord) (Step, error) {
	r, err := newRenderer(d)
	if err != nil {
		return Step{}, err
	}
	sql, args, err := r.render("runs", struct{ Run RunRecord }{rec})
	if err != nil {
		return Step{}, err
	}
	return Step{Name: "runs", Kind: Output, Table: "runs", SQL: sql, Args: args}, nil
}

// Manifested is one export a run publishes: how its file was written, its
// rows, and when the export's date was first published (a rerun keeps
// that). On BigQuery it is an export_manifest row; on DuckDB the export's
// _SUCCESS.
type Manifested struct {
	Export      string
	As          PublishedAs
	Rows        int64
	PublishedAt time.Time
}

// AsJSON is m.As as export_manifest's published_as holds it.
func (m Manifested) AsJSON() (string, error) {
	b, err := json.Marshal(m.As)
	return string(b), err
}

// ManifestStep renders, in dialect d, the Output step of the run's
// export_manifest rows (sql/export_manifest.sql); exports must not be empty.
func ManifestStep(d Dialect, runID string, exports []Manifested) (Step, error) {
	r, err := newRenderer(d)
	if err != nil {
		return Step{}, err
	}
	sql, args, err := r.render("export_manifest", struct {
		RunID   string
		Exports []Manifested
	}{runID, exports})
	if err != nil {
		return Step{}, err
	}
	return Step{Name: "export_manifest", Kind: Output, Table: "export_manifest", PerDate: true, SQL: sql, Args: args}, nil
}

// RunsColumns says which of the columns later versions added to the runs
// rows relation prev_runs has (runs rows an older version wrote lack them).
type RunsColumns struct {
	LedgerCutoff     bool
	Published        bool
	InputColumns     bool
	InputValuesGiven bool
}

// SucceededDatesStep renders, in dialect d, the Check step listing the
// dates of relation prev_runs (the published runs rows, in scratch)
// whose outputs a run published, each with whether one succeeded,
// whether one was final, not provisional, and the latest ledger cutoff
// one applied (sql/succeeded_dates.sql).
func SucceededDatesStep(d Dialect, scratch string, has RunsColumns) (Step, error) {
	return runsRowsStep(d, scratch, "succeeded_dates", has)
}

// PreviousInputColumnsStep renders, in dialect d, the Check step listing
// the contracted columns each input had on the latest run of relation
// prev_runs (in scratch) that published (sql/previous_input_columns.sql).
func PreviousInputColumnsStep(d Dialect, scratch string, has RunsColumns) (Step, error) {
	return runsRowsStep(d, scratch, "previous_input_columns", has)
}

// runsRowsStep renders template name, a Check step over relation
// prev_runs (in scratch) that has the columns has says.
func runsRowsStep(d Dialect, scratch, name string, has RunsColumns) (Step, error) {
	r, err := newRenderer(d)
	if err != nil {
		return Step{}, err
	}
	r.scratch = scratch
	sql, args, err := r.render(name, has)
	return Step{Name: name, Kind: Check, SQL: sql, Args: args}, err
}
