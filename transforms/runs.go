package transforms

import "time"

// RunRecord is what the runs table keeps of one run (SPEC §6).
type RunRecord struct {
	RunID, Engine, Version, Status, Error string
	Date, Now, StartedAt                  time.Time
	ExitCode                              int
	DurationMS                            int64
	Inputs                                []FileCount
	Outputs                               []OutputCount
	Steps                                 []StepTime
	LeakChecks                            []LeakCheck
	LedgerRemoved                         int64         // requests older than policy.retention_months removed
	WriteBackRows                         int64         // customers rows whose flags write-back changed
	RetentionRemoved                      []OutputCount // per-date partitions removed, per table
}

// LeakCheck is the result of one export's leak check; the runs table keeps
// failures too, which the sync metric counts.
type LeakCheck struct {
	Export, Destination, Result string
	Leaks                       int64
}

// FileCount is one input file's row accounting: read = used + quarantined +
// after the as-of instant.
type FileCount struct {
	Input, File                                                            string
	RowsRead, RowsUsed, RowsQuarantined, RowsAfterAsOf, InvalidIdentifiers int64
}

// OutputCount is the number of rows a run wrote to one output table.
type OutputCount struct {
	Table string
	Rows  int64
}

// StepTime is the wall time of one step.
type StepTime struct {
	Step string `json:"step"`
	MS   int64  `json:"ms"`
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

// Manifested is one export a run publishes on BigQuery.
type Manifested struct {
	Export, Destination string
	Rows                int64
}

// ManifestStep renders, in dialect d, the Output step of the run's
// export_manifest rows (sql/export_manifest.sql); exports must not be empty.
func ManifestStep(d Dialect, runID string, now time.Time, exports []Manifested) (Step, error) {
	r, err := newRenderer(d)
	if err != nil {
		return Step{}, err
	}
	sql, args, err := r.render("export_manifest", struct {
		RunID   string
		Now     time.Time
		Exports []Manifested
	}{runID, now, exports})
	if err != nil {
		return Step{}, err
	}
	return Step{Name: "export_manifest", Kind: Output, Table: "export_manifest", PerDate: true, SQL: sql, Args: args}, nil
}
