package jobs

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/optout-dev/optout/internal/config"
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
	gone := map[[2]string]bool{} // (input, column)
	var dt string
	for _, row := range rows {
		input, column := str(row["input"]), str(row["name"])
		if str(row["what"]) == "values" {
			r.valuesBefore.add(str(row["dt"]), input, column)
			continue
		}
		if ic, ok := r.inputColumns[input]; ok && ic.lost(column) {
			gone[[2]string{input, column}], dt = true, str(row["dt"])
		}
	}
	if len(gone) == 0 {
		return nil
	}
	pairs := sortedKeyPairs(gone) // so that the error names the same first every time
	first := "input " + pairs[0][0] + ": column " + pairs[0][1]
	lost := make([]string, len(pairs))
	for i, p := range pairs {
		lost[i] = p[0] + "." + p[1]
	}
	if r.o.AcceptDroppedColumns { // said in the log, so that a flag left in a schedule shows
		r.log.Warn("inputs have lost columns the latest published run read from them; read as they are now (--accept-dropped-columns)", "columns", strings.Join(lost, ", "), "baseline_dt", dt)
		return nil
	}
	return exit.With(exit.Input, fmt.Errorf("%s is in none of its files, but the latest published run (of %s) read it from this input (every column gone: %s): a column renamed or dropped upstream reads as NULLs, and a NULL means something (a NULL status is pending, NULL categories are all), so the run would enforce other requests than the data says; restore the column, or, if it was dropped on purpose, run once with --accept-dropped-columns",
		first, dt, strings.Join(lost, ", ")))
}

// valuesBaseline is what each input gave values of on the latest
// published run (runs.input_values_given), of date dt: identifier kinds,
// and a request source's status and categories.
type valuesBaseline struct {
	dt    string
	given map[[2]string]bool // (input, kind or column)
}

func (b *valuesBaseline) add(dt, input, kind string) {
	if b.given == nil {
		b.given = map[[2]string]bool{}
	}
	b.dt = dt
	b.given[[2]string{input, kind}] = true
}

// checkValuesGiven records the identifier kinds, and a request source's
// status and categories, that input gave config.MinValuesForKeyRatio
// values or more of in rows not quarantined (given: per file and kind or
// column it has, from its input_counts' given__ columns), and fails the
// run (exit 3) when, in that many usable rows or more (not quarantined,
// not after the as-of instant), it gives no value of one the latest
// published run recorded. A column that is still there but emptied
// upstream (a failed load, a broken join) reads as NULLs, which mean
// something: no key, a pending status, all categories. Found by a probe
// (2026-12-07): with the customers' email column all NULL, the 166 demo
// customers who had opted out by email alone went unflagged and 11 of
// their rows stayed in the exports, with exit 0 and no warning. Both
// thresholds keep chance out: a kind of which a large input gave a few
// values (two phones in an export) may well give none the next day, and
// a small input may have no row with one. --accept-dropped-columns lets
// the run go ahead, with a warning, as for a column dropped.
func (r *run) checkValuesGiven(in *config.Input, counts map[[2]string]*keyValues, used int64) error {
	given := map[string]int64{} // per kind (or column) the input has a column of
	for at, kv := range counts {
		given[at[1]] += kv.kept
	}
	for _, kind := range slices.Sorted(maps.Keys(given)) {
		if given[kind] >= config.MinValuesForKeyRatio {
			r.rec.InputValuesGiven = append(r.rec.InputValuesGiven, transforms.InputColumn{Input: in.Name, Column: kind})
		}
	}
	var emptied []string
	for _, at := range sortedKeyPairs(r.valuesBefore.given) {
		// A kind the input has no column of any more: a column lost
		// (checkInputColumns) or no longer mapped.
		if n, has := given[at[1]]; at[0] == in.Name && has && n == 0 && used >= config.MinValuesForKeyRatio {
			emptied = append(emptied, at[1])
		}
	}
	if len(emptied) == 0 {
		return nil
	}
	var cols []string // an export may map one column to two kinds
	for _, kind := range emptied {
		col := r.keyColumnName(in, kind)
		if f, ok := schemas.Find(r.inputColumns[in.Name].fields, col); ok {
			col = f.Name // as its files spell it
		}
		if !slices.Contains(cols, col) {
			cols = append(cols, col)
		}
	}
	if r.o.AcceptDroppedColumns {
		r.log.Warn("an input gives no value in columns it gave values in on the latest published run; read as it is now (--accept-dropped-columns)", "input", in.Name, "columns", strings.Join(cols, ", "), "baseline_dt", r.valuesBefore.dt)
		return nil
	}
	return exit.With(exit.Input, &schemas.ContractError{Input: in.Name, Column: strings.Join(cols, ", "),
		Reason: fmt.Sprintf("no value in any of its %d usable rows, but the latest published run (of %s) read 1,000 values or more of it (%s): a column emptied upstream (a failed load, a broken join) reads as NULLs, and a NULL means something (no key, so the opt-outs given by it would silently stop reaching their people; a pending status; all categories); restore its values, or, if it was emptied on purpose, run once with --accept-dropped-columns",
			used, r.valuesBefore.dt, strings.Join(emptied, ", "))})
}
