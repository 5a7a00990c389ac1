package jobs

import (
	"fmt"
	"strings"
	"time"

	"github.com/optout-dev/optout/internal/exit"
	"github.com/optout-dev/optout/internal/fileversion"
)

// stamp is an input file as a run listed it: its version (which file,
// its size, its modification and change times). A table input has no
// stamp (Version nil): on BigQuery the run reads its own copy, and
// DuckDB's database file has one writer, this run.
type stamp struct {
	Input, File string
	Version     *fileversion.Version
}

// stampFiles stamps an input's files before anything reads them.
func stampFiles(input string, files []string) ([]stamp, error) {
	stamps := make([]stamp, len(files))
	for i, f := range files {
		v, err := fileversion.Stat(f)
		if err != nil {
			return nil, exit.With(exit.Input, fmt.Errorf("input %s: file %s: %v", input, f, err))
		}
		stamps[i] = stamp{Input: input, File: f, Version: &v}
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
		if s.Version == nil {
			continue
		}
		file := fmt.Sprintf("input %s: file %s", s.Input, s.File)
		was := *s.Version
		now, err := fileversion.Stat(s.File)
		switch {
		case err != nil:
			changed = append(changed, fmt.Sprintf("%s (%v)", file, err))
		case now.Dev != was.Dev || now.Ino != was.Ino:
			changed = append(changed, file+" (replaced by another file)")
		case now.Size != was.Size || now.Mod != was.Mod:
			changed = append(changed, fmt.Sprintf("%s (size %d → %d bytes, modified %s → %s)", file,
				was.Size, now.Size, instant(was.Mod), instant(now.Mod)))
		case now != was:
			changed = append(changed, fmt.Sprintf("%s (written again at %s, its size and modification time kept)", file, instant(now.Change)))
		}
	}
	if len(changed) > 0 {
		return exit.With(exit.Failed, fmt.Errorf("input files changed during the run, so its outputs could mix two versions of them: %s; nothing of %s is published (rerun once they are complete)", strings.Join(changed, "; "), r.dt))
	}
	return nil
}

// instant formats Unix nanoseconds for an error message.
func instant(nanos int64) string { return time.Unix(0, nanos).UTC().Format(time.RFC3339Nano) }
