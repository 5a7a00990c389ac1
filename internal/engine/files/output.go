package files

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/internal/engine"
	"github.com/optout-dev/optout/internal/exit"
)

// Output is an output folder and the way optout writes it. Tables are its
// folders ("optout_state", "exports/<name>"); a per-date table holds one
// folder dt=YYYY-MM-DD per date.
type Output struct {
	Dir  string
	Mode config.FileMode
	Log  *slog.Logger
	At   engine.TestPoint // never nil
}

// Settle finishes an interrupted publish under the output before a
// command reads it, so that no command sees a date half published. A
// writer must get the lock; a reader goes on without rolling forward
// when a run holds it: that run finishes the publish itself.
func (o *Output) Settle(writer bool) error {
	if _, err := os.Stat(filepath.Join(o.Dir, internalDir, "staging")); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	lk, err := acquireLock(o.Dir, o.Mode)
	if err != nil {
		if !writer && exit.Code(err) == exit.Locked {
			o.Log.Warn("a run is writing to the output; reading what is published so far", "output", o.Dir)
			return nil
		}
		return err
	}
	defer lk.release()
	return o.finishInterrupted()
}

// Lock takes the output's lock and finishes any interrupted publish.
func (o *Output) Lock() (unlock func() error, err error) {
	lk, err := acquireLock(o.Dir, o.Mode)
	if err != nil {
		return nil, err
	}
	o.At("locked")
	if err := o.finishInterrupted(); err != nil {
		lk.release()
		return nil, err
	}
	return func() error { lk.release(); return nil }, nil
}

// finishInterrupted rolls forward under a held lock and says so.
func (o *Output) finishInterrupted() error {
	rolled, err := recoverStaging(o.Dir)
	for _, id := range rolled {
		o.Log.Warn("finished the publish of an interrupted run", "interrupted_run_id", id)
	}
	if err != nil {
		return fmt.Errorf("an interrupted publish under %s could not be finished: %w", o.Dir, err)
	}
	return nil
}

// Begin opens the staging area of one run of dt.
func (o *Output) Begin(runID, dt string, now time.Time) (*Stage, error) {
	return newStage(o.Dir, runID, dt, now, o.Mode, o.At)
}

// Partitions lists the dates of per-date table, sorted. Only a folder
// dt=YYYY-MM-DD is a date: a copy someone kept beside one
// (dt=2026-11-01.bak) is no date of optout's, which retention would
// otherwise remove and flag_changes compare with.
func (o *Output) Partitions(table string) []string {
	entries, _ := os.ReadDir(filepath.Join(o.Dir, table))
	var dates []string
	for _, e := range entries {
		if dt, ok := strings.CutPrefix(e.Name(), "dt="); ok && e.IsDir() && IsDate(dt) {
			dates = append(dates, dt)
		}
	}
	sort.Strings(dates)
	return dates
}

// IsDate says whether s is a date as a dt= folder names it (YYYY-MM-DD).
func IsDate(s string) bool {
	d, err := time.Parse(time.DateOnly, s)
	return err == nil && d.Format(time.DateOnly) == s
}

// Tables lists the tables in folder group.
func (o *Output) Tables(group string) []string {
	entries, _ := os.ReadDir(filepath.Join(o.Dir, group))
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, filepath.Join(group, e.Name()))
		}
	}
	return out
}

// DropPartitions removes the folders of the given dates of table.
//
// Each date folder goes at once: it is renamed into optout's own trash
// folder, then deleted there, so a kill in between never leaves a date
// half removed where readers look (a part file gone beside its _SUCCESS).
// What a killed removal left in the trash goes with the next one.
func (o *Output) DropPartitions(table string, dates []string) error {
	trash, err := mkdirOutput(o.Dir, filepath.Join(internalDir, "trash"), o.Mode)
	if err != nil {
		return err
	}
	left, _ := filepath.Glob(filepath.Join(trash, "retention-*"))
	for _, dir := range left {
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
	}
	for _, dt := range dates {
		gone, err := os.MkdirTemp(trash, "retention-")
		if err != nil {
			return err
		}
		err = os.Rename(filepath.Join(o.Dir, table, "dt="+dt), filepath.Join(gone, "dt="+dt))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		if err := o.At("retention_moved"); err != nil {
			return err
		}
		if err := os.RemoveAll(gone); err != nil {
			return err
		}
	}
	return nil
}

// Mkdir makes folder rel under the output with the output's folder mode.
func (o *Output) Mkdir(rel string) (string, error) { return mkdirOutput(o.Dir, rel, o.Mode) }

// PrivateFile gives a file under the output the output file mode.
func (o *Output) PrivateFile(file string) error { return privateFile(o.Dir, file, o.Mode) }

// InternalFile is a path in optout's own folder under the output, for a
// file written there and then renamed into place.
func (o *Output) InternalFile(name string) string { return filepath.Join(o.Dir, internalDir, name) }

// Rel is path relative to the output folder, when it lies there.
func Rel(output, path string) (string, bool) { return outputRel(output, path) }
