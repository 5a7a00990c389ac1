package jobs

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/optout-dev/optout/internal/exit"
	"github.com/optout-dev/optout/schemas"
	"github.com/optout-dev/optout/transforms"
)

// inputColumns is what a run knows of one input's columns: its contract
// and the union of its files' columns.
type inputColumns struct {
	contract schemas.Contract
	fields   []schemas.Field
}

// contracted lists the columns of the input's contract that it has, by
// their contract names in lower case: what its runs row records.
func (ic inputColumns) contracted(input string) []transforms.InputColumn {
	var out []transforms.InputColumn
	for _, c := range ic.contract.Columns {
		if _, ok := schemas.Find(ic.fields, c.Name); ok {
			out = append(out, transforms.InputColumn{Input: input, Column: strings.ToLower(c.Name)})
		}
	}
	return out
}

// lost reports whether the run would read column name of the input but
// none of its files has it: the contract still names it, and the column
// that would replace it (schemas.Column.UnusedWith) is not there either.
func (ic inputColumns) lost(name string) bool {
	for _, c := range ic.contract.Columns {
		if !strings.EqualFold(c.Name, name) {
			continue
		}
		if _, ok := schemas.Find(ic.fields, c.Name); ok {
			return false
		}
		if _, ok := schemas.Find(ic.fields, c.UnusedWith); c.UnusedWith != "" && ok {
			return false
		}
		return true
	}
	return false // no longer in its contract (another mapping or format)
}

// checkInputColumns fails the run (exit 3) when an input lacks, in every
// one of its files, a contracted column it had on the latest run that
// published (that run's input_columns). A file without a column that
// another file of the input has fails already (schemas.Contract.
// CheckAcross), but a column gone from every file read as NULLs, and a
// NULL means something: found by a probe (2026-12-07), with the request
// log's status column renamed every request read as pending, a rejected
// opt-in counted, and its person left in an export, with exit 0 and no
// warning. RunOptions.AcceptDroppedColumns lets a run go ahead after a
// column was dropped on purpose, with a warning naming the columns; its
// runs row is then the next run's baseline, if it publishes. An input no
// longer configured, a column its contract no longer names (an export's
// mapping changed; a request source's format changed, whose contract
// still names the identifier and extra columns every format has), and no
// run that recorded its columns (the first run, runs rows of an older
// version) have nothing to compare. An inspection (optout plan, explain)
// reads the inputs as they are, and is not held to it.
func (r *run) checkInputColumns(ctx context.Context, past pastRuns) error {
	if !past.registered || !past.columns.InputColumns || r.keepTables {
		return nil
	}
	q, err := transforms.PreviousInputColumnsStep(r.eng.Dialect(), r.eng.Scratch(), past.columns)
	if err != nil {
		return err
	}
	_, rows, err := r.exec(ctx, q)
	if err != nil {
		return err
	}
	var lost []string
	var first, dt string
	for _, row := range rows {
		input, column := str(row["input"]), str(row["name"])
		if ic, ok := r.inputColumns[input]; !ok || !ic.lost(column) {
			continue
		}
		if first == "" {
			first, dt = "input "+input+": column "+column, str(row["dt"])
		}
		lost = append(lost, input+"."+column)
	}
	if len(lost) == 0 {
		return nil
	}
	slices.Sort(lost)
	if r.o.AcceptDroppedColumns { // said in the log, so that a flag left in a schedule shows
		r.log.Warn("inputs have lost columns the latest published run read from them; read as they are now (--accept-dropped-columns)", "columns", strings.Join(lost, ", "), "baseline_dt", dt)
		return nil
	}
	return exit.With(exit.Input, fmt.Errorf("%s is in none of its files, but the latest published run (of %s) read it from this input (every column gone: %s): a column renamed or dropped upstream reads as NULLs, and a NULL means something (a NULL status is pending, NULL categories are all), so the run would enforce other requests than the data says; restore the column, or, if it was dropped on purpose, run once with --accept-dropped-columns",
		first, dt, strings.Join(lost, ", ")))
}
