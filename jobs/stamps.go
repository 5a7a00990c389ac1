package jobs

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/optout-dev/optout/internal/exit"
)

// stamp is an input file as a run listed it: its size, modification time
// and identity (os.SameFile: a file replaced by a rename is another one).
// A table input has no stamp (Info nil): on BigQuery the run reads its own
// copy, and DuckDB's database file has one writer, this run.
type stamp struct {
	Input, File string
	Info        os.FileInfo
}

// stampFiles stamps an input's files before anything reads them.
func stampFiles(input string, files []string) ([]stamp, error) {
	stamps := make([]stamp, len(files))
	for i, f := range files {
		st, err := os.Stat(f)
		if err != nil {
			return nil, exit.With(exit.Input, fmt.Errorf("input %s: file %s: %v", input, f, err))
		}
		stamps[i] = stamp{Input: input, File: f, Info: st}
	}
	return stamps, nil
}

// inputsUnchanged fails the run (exit 1, nothing published) when an input
// file is not the one it listed. Each step reads the files again, so a
// file rewritten during the run would mix two versions in one date: the
// customers written with flags decided from the old rows' keys, a new
// customer written with the default "not opted out". A retry, once the
// upstream job has finished writing, reads one version.
func (r *run) inputsUnchanged() error {
	var changed []string
	for _, s := range r.stamps {
		if s.Info == nil {
			continue
		}
		file := fmt.Sprintf("input %s: file %s", s.Input, s.File)
		st, err := os.Stat(s.File)
		switch {
		case err != nil:
			changed = append(changed, fmt.Sprintf("%s (%v)", file, err))
		case !os.SameFile(s.Info, st):
			changed = append(changed, file+" (replaced by another file)")
		case st.Size() != s.Info.Size() || !st.ModTime().Equal(s.Info.ModTime()):
			changed = append(changed, fmt.Sprintf("%s (size %d → %d bytes, modified %s → %s)", file,
				s.Info.Size(), st.Size(), s.Info.ModTime().UTC().Format(time.RFC3339Nano), st.ModTime().UTC().Format(time.RFC3339Nano)))
		}
	}
	if len(changed) > 0 {
		return exit.With(exit.Failed, fmt.Errorf("input files changed during the run, so its outputs could mix two versions of them: %s; nothing of %s is published (rerun once they are complete)", strings.Join(changed, "; "), r.dt))
	}
	return nil
}
