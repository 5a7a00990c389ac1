package jobs

import (
	"github.com/optout-dev/optout/transforms"
)

// progress counts a run's planned steps: how many it takes, and how many
// have started.
type progress struct{ started, planned int }

// planned notes how many steps the run takes, once its plan is built: the
// Validate phase, and the Transform phase unless the run only checks its
// inputs (optout validate, optout plan).
func (r *run) planned(phases transforms.Phases) {
	r.steps = progress{planned: len(phases.Validate)}
	if !r.checkOnly && !r.dry {
		r.steps.planned += len(phases.Transform)
	}
}

// stepStarted reports that the next planned step starts, reused or not.
func (r *run) stepStarted(name string) {
	r.steps.started++
	if r.o.OnStep != nil {
		r.o.OnStep(name, r.steps.started, r.steps.planned)
	}
}

// logStep is the OnStep of a run without a progress display: one INFO
// line per step, so that a cron log shows where a long run is.
func (r *run) logStep(step string, k, n int) {
	r.log.Info("step started", "step", step, "k", k, "n", n)
}

// inputsChecked logs, at INFO, that every input has been read and checked,
// with how many files and rows each had.
func (r *run) inputsChecked() {
	files := map[string]int64{}
	var nFiles, nRows int64
	for _, fc := range r.rec.Inputs {
		files[fc.Input]++
		nFiles++
		nRows += fc.RowsRead
	}
	r.log.Info("inputs checked", "inputs", len(files), "files", nFiles, "rows", nRows, "files_by_input", formatCounts(files))
}
