// Package files keeps a DuckDB output folder: its lock, the staging area
// and publish journal that make a date's publish all or nothing, the
// per-date folders and the private file modes.
package files

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/internal/engine"
	"github.com/optout-dev/optout/internal/exit"
)

// A run writes every output folder, and its runs row, into its staging
// area, then publishes them by renaming each into place. Before the first
// rename it commits a journal listing them: that is the commit point. A run
// that dies or fails before it leaves the published outputs untouched and
// its staging area is discarded; past it, the publish is finished, never
// abandoned: an error leaves the journal, and the next optout command on the
// output (settleOutput) completes it. Renames within one file system are
// atomic, so a reader sees a folder's old files or its new files, never a
// mix or a partial file; the date as a whole is complete once its marker
// (CompleteMarker) is there, written last.

const journalName = "_PUBLISH"

// CompleteMarker is the file, relative to the output folder, that says
// every output of date dt is published and consistent: a publish removes it
// before its first rename and writes it after its last. Readers and
// schedulers wait for it.
func CompleteMarker(dt string) string {
	return filepath.Join("complete", "dt="+dt, "_SUCCESS")
}

// journal is what a committed publish must finish.
type journal struct {
	RunID    string      `json:"run_id"`
	Date     string      `json:"dt"`
	Now      string      `json:"now"`
	Paths    []string    `json:"paths"`     // folders and files, relative to the output, in publish order
	FileMode os.FileMode `json:"file_mode"` // of the marker, as of every file staged (output_file_mode)
}

// marker is the content of a date's CompleteMarker.
type marker struct {
	RunID       string `json:"run_id"`
	Date        string `json:"dt"`
	Now         string `json:"now"`
	PublishedAt string `json:"published_at"`
}

// Stage is one run's staging area.
type Stage struct {
	output    string
	Dir       string // <output>/_optout/staging/<run>
	trash     string // <output>/_optout/trash/<run>
	journal   journal
	mode      config.FileMode
	at        engine.TestPoint
	committed bool // the journal is written: never discard
}

func newStage(output, runID, dt string, now time.Time, mode config.FileMode, at engine.TestPoint) (*Stage, error) {
	s := &Stage{mode: mode, at: at,
		output:  output,
		Dir:     filepath.Join(output, internalDir, "staging", runID),
		trash:   filepath.Join(output, internalDir, "trash", runID),
		journal: journal{RunID: runID, Date: dt, Now: now.UTC().Format(time.RFC3339Nano), FileMode: mode.FileMode},
	}
	return s, nil // its folder is made by the first Folder or File
}

// Folder returns the staging path of output folder rel, creating it.
func (s *Stage) Folder(rel string) (string, error) {
	p := filepath.Join(s.Dir, rel)
	if err := os.MkdirAll(p, 0o700); err != nil {
		return "", err
	}
	s.journal.Paths = append(s.journal.Paths, rel)
	return p, nil
}

// File returns the staging path of output file rel, creating its folder.
func (s *Stage) File(rel string) (string, error) {
	p := filepath.Join(s.Dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return "", err
	}
	s.journal.Paths = append(s.journal.Paths, rel)
	return p, nil
}

// publishedFolders are the folders the publish renames into or writes in,
// each as the path of something in it: those staged, and the marker's.
func (s *Stage) publishedFolders() []string {
	return append(append([]string{}, s.journal.Paths...), CompleteMarker(s.journal.Date))
}

// Discard removes the staging area of a run that will not publish; a
// committed one stays for the roll-forward.
func (s *Stage) Discard() {
	if !s.committed {
		_ = os.RemoveAll(s.Dir)
	}
}

// Publish gives everything staged the output modes, writes the journal
// (the commit point) and publishes everything staged.
func (s *Stage) Publish() error {
	if err := privateStage(s.output, s.Dir, s.publishedFolders(), s.mode); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	if err := oneFileSystem(s.output, s.Dir, s.journal.Paths); err != nil {
		return exit.With(exit.Usage, fmt.Errorf("publish: %w", err))
	}
	return exit.With(exit.Failed, s.commit(s.at))
}

// oneFileSystem fails, before the commit, a publish whose renames would
// cross file systems: an output folder that is a symbolic link to another
// mount (a shared folder for uploaders), or _optout moved to one. A rename
// cannot cross them, and one failing after the journal was written left
// the date half published, every later command failing to finish it.
// Each staged path's place is the nearest folder of it that exists (the
// rename makes the rest there); os.Stat follows links.
func oneFileSystem(output, staging string, rels []string) error {
	dev := func(p string) (uint64, error) {
		fi, err := os.Stat(p)
		if err != nil {
			return 0, err
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !ok {
			return 0, fmt.Errorf("%s: no device number", p)
		}
		return uint64(st.Dev), nil
	}
	place := func(p string) string {
		for {
			if _, err := os.Stat(p); err == nil || filepath.Dir(p) == p {
				return p
			}
			p = filepath.Dir(p)
		}
	}
	want, err := dev(place(staging))
	if err != nil {
		return err
	}
	for _, rel := range rels {
		dir := place(filepath.Dir(filepath.Join(output, rel)))
		got, err := dev(dir)
		if err != nil {
			return err
		}
		if got != want {
			return fmt.Errorf("%s is on another file system than optout's staging folder %s (a symbolic link to another mount?): a publish moves each folder into place with a rename, which cannot cross file systems; keep the output folder and everything under it on one file system, and copy from there to other mounts",
				dir, staging)
		}
	}
	return nil
}

// commit writes the journal and publishes everything staged.
func (s *Stage) commit(at engine.TestPoint) error {
	data, err := json.Marshal(s.journal)
	if err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(s.Dir, journalName), data); err != nil {
		return fmt.Errorf("publish journal: %w", err)
	}
	s.committed = true
	at("journal")
	if err := applyJournal(s.output, s.Dir, s.trash, s.journal, at); err != nil {
		return fmt.Errorf("the publish of %s was interrupted: %w; it is committed, and the next optout command on %s finishes it (once the cause is fixed)",
			s.journal.Date, err, s.output)
	}
	return nil
}

// applyJournal publishes a committed journal; run again after any crash or
// error, it picks up where the last attempt stopped.
func applyJournal(output, dir, trash string, j journal, at engine.TestPoint) error {
	mark := filepath.Join(output, CompleteMarker(j.Date))
	if err := os.Remove(mark); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove %s: %w", CompleteMarker(j.Date), err)
	}
	for i, rel := range j.Paths {
		src, dst, old := filepath.Join(dir, rel), filepath.Join(output, rel), filepath.Join(trash, rel)
		if _, err := os.Stat(src); errors.Is(err, os.ErrNotExist) {
			continue // published before a crash
		}
		if err := at(fmt.Sprintf("rename:%d", i)); err != nil {
			return fmt.Errorf("publish %s: %w", rel, err)
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			return fmt.Errorf("publish %s: %w", rel, err)
		}
		if _, err := os.Lstat(dst); err == nil {
			_ = os.RemoveAll(old)
			if err := os.MkdirAll(filepath.Dir(old), 0o700); err != nil {
				return fmt.Errorf("publish %s: %w", rel, err)
			}
			if err := os.Rename(dst, old); err != nil {
				return fmt.Errorf("publish %s: %w", rel, err)
			}
		}
		if err := os.Rename(src, dst); err != nil {
			return fmt.Errorf("publish %s: %w", rel, err)
		}
		if i == 0 {
			at("publish_first")
		}
	}
	if err := at("mark"); err != nil {
		return fmt.Errorf("publish %s: %w", CompleteMarker(j.Date), err)
	}
	data, err := json.Marshal(marker{RunID: j.RunID, Date: j.Date, Now: j.Now, PublishedAt: time.Now().UTC().Format(time.RFC3339Nano)})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(mark), 0o700); err != nil {
		return fmt.Errorf("publish %s: %w", CompleteMarker(j.Date), err)
	}
	if err := writeFileAtomic(mark, append(data, '\n')); err != nil {
		return fmt.Errorf("publish %s: %w", CompleteMarker(j.Date), err)
	}
	if j.FileMode != 0 {
		if err := os.Chmod(mark, j.FileMode); err != nil {
			return fmt.Errorf("publish %s: %w", CompleteMarker(j.Date), err)
		}
	}
	at("published")
	syncDir(output)
	if err := os.RemoveAll(trash); err != nil {
		return err
	}
	return os.RemoveAll(dir)
}

// recoverStaging finishes the publish of any run that committed its
// journal and did not finish, and discards the staging of runs that did
// not commit. The caller holds the output's lock. It returns the runs it
// rolled forward.
func recoverStaging(output string) ([]string, error) {
	root := filepath.Join(output, internalDir, "staging")
	entries, err := os.ReadDir(root)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var rolled []string
	for _, e := range entries {
		dir := filepath.Join(root, e.Name())
		data, err := os.ReadFile(filepath.Join(dir, journalName))
		if errors.Is(err, os.ErrNotExist) {
			if err := os.RemoveAll(dir); err != nil {
				return rolled, err
			}
			continue
		} else if err != nil {
			return rolled, err
		}
		var j journal
		if err := json.Unmarshal(data, &j); err != nil {
			return rolled, fmt.Errorf("publish journal %s: %w", dir, err)
		}
		trash := filepath.Join(output, internalDir, "trash", e.Name())
		if err := applyJournal(output, dir, trash, j, func(string) error { return nil }); err != nil {
			return rolled, fmt.Errorf("finish the publish of %s: %w", j.Date, err)
		}
		rolled = append(rolled, e.Name())
	}
	return rolled, nil
}

// writeFileAtomic writes data to path through a synced temporary file,
// readable by the owner alone.
func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	syncDir(filepath.Dir(path))
	return nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
