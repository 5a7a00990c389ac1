package transforms

import (
	"slices"
	"strings"
)

// setFree notes on each step the temporary tables that no later step
// reads, so that a run can drop them as soon as that step is done: at 10M
// customers the intermediate tables, all alive at the end of a run, were
// most of its peak memory. A step reads a table when its template named it
// (Step.Reads, through tmp or rel). A table no step reads is freed by the
// step that made it.
func (ph *Phases) setFree() {
	all := append(append([]Step{}, ph.Validate...), ph.Transform...)
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
		if last < len(ph.Validate) {
			ph.Validate[last].Free = append(ph.Validate[last].Free, s.Table)
			continue
		}
		t := &ph.Transform[last-len(ph.Validate)]
		t.Free = append(t.Free, s.Table)
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
