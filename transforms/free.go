package transforms

import (
	"slices"
	"strings"
)

// setFree notes on each Transform step the temporary tables that no later
// step reads, so that a run can drop them as soon as that step is done:
// at 10M customers the intermediate tables, all alive at the end of a run,
// were most of its peak memory. A step reads a table when its template
// named it (Step.Reads, through tmp or rel). Tables of the Validate phase
// that no Transform step reads are freed after the first Transform step.
func (ph *Phases) setFree() {
	if len(ph.Transform) == 0 {
		return
	}
	all := append(append([]Step{}, ph.Validate...), ph.Transform...)
	offset := len(ph.Validate)
	for i, s := range all {
		if s.Kind != Temp {
			continue
		}
		last := i
		for j := i + 1; j < len(all); j++ {
			if slices.Contains(all[j].Reads, TempName(s.Table)) {
				last = j
			}
		}
		at := max(last-offset, 0)
		ph.Transform[at].Free = append(ph.Transform[at].Free, s.Table)
	}
}

// FreeStepName names the steps FreeStep renders: an engine that keeps its
// temporary tables to the end may skip them.
const FreeStepName = "free"

// FreeStep renders, in dialect d, the Setup step that drops the temporary
// tables of the steps named tables (in scratch, on BigQuery).
func FreeStep(d Dialect, scratch string, tables []string) Step {
	var b strings.Builder
	for _, t := range tables {
		b.WriteString("DROP TABLE IF EXISTS " + d.Relation(scratch, TempName(t)) + ";\n")
	}
	return Step{Name: FreeStepName, Kind: Setup, SQL: b.String()}
}
