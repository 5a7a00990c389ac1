package jobs

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/optout-dev/optout/internal/config"
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

type stage struct {
	output    string
	dir       string // <output>/_optout/staging/<run>
	trash     string // <output>/_optout/trash/<run>
	journal   journal
	committed bool // the journal is written: never discard
}

func newStage(output, runID, dt string, now time.Time, mode os.FileMode) (*stage, error) {
	s := &stage{
		output:  output,
		dir:     filepath.Join(output, internalDir, "staging", runID),
		trash:   filepath.Join(output, internalDir, "trash", runID),
		journal: journal{RunID: runID, Date: dt, Now: now.UTC().Format(time.RFC3339Nano), FileMode: mode},
	}
	return s, os.MkdirAll(s.dir, 0o700)
}

// folder returns the staging path of output folder rel, creating it.
func (s *stage) folder(rel string) (string, error) {
	p := filepath.Join(s.dir, rel)
	if err := os.MkdirAll(p, 0o700); err != nil {
		return "", err
	}
	s.journal.Paths = append(s.journal.Paths, rel)
	return p, nil
}

// file returns the staging path of output file rel, creating its folder.
func (s *stage) file(rel string) (string, error) {
	p := filepath.Join(s.dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return "", err
	}
	s.journal.Paths = append(s.journal.Paths, rel)
	return p, nil
}

// publishedFolders are the folders the publish renames into or writes in,
// each as the path of something in it: those staged, and the marker's.
func (s *stage) publishedFolders() []string {
	return append(append([]string{}, s.journal.Paths...), CompleteMarker(s.journal.Date))
}

// discard removes the staging area of a run that will not publish; a
// committed one stays for the roll-forward.
func (s *stage) discard() {
	if !s.committed {
		_ = os.RemoveAll(s.dir)
	}
}

// commit writes the journal and publishes everything staged.
func (s *stage) commit(at testPoint) error {
	data, err := json.Marshal(s.journal)
	if err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(s.dir, journalName), data); err != nil {
		return fmt.Errorf("publish journal: %w", err)
	}
	s.committed = true
	at("journal")
	if err := applyJournal(s.output, s.dir, s.trash, s.journal, at); err != nil {
		return fmt.Errorf("the publish of %s was interrupted: %w; it is committed, and the next optout command on %s finishes it (once the cause is fixed)",
			s.journal.Date, err, s.output)
	}
	return nil
}

// applyJournal publishes a committed journal; run again after any crash or
// error, it picks up where the last attempt stopped.
func applyJournal(output, dir, trash string, j journal, at testPoint) error {
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
		if err := applyJournal(output, dir, trash, j, noTestPoint); err != nil {
			return rolled, fmt.Errorf("finish the publish of %s: %w", j.Date, err)
		}
		rolled = append(rolled, e.Name())
	}
	return rolled, nil
}

// settleOutput finishes an interrupted publish under the output before a
// command reads it, so that no command sees a date half published. A
// writer (run, backfill) must get the lock; a reader (report, explain,
// validate) goes on without rolling forward when a run holds it: that run
// finishes the publish itself. BigQuery publishes in one transaction.
func settleOutput(cfg *config.Config, log *slog.Logger, writer bool) error {
	if cfg.Engine == "bigquery" {
		return nil
	}
	if _, err := os.Stat(filepath.Join(cfg.Output, internalDir, "staging")); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	lk, err := acquireLock(cfg.Output, cfg.OutputFileMode)
	if err != nil {
		if !writer && exit.Code(err) == exit.Locked {
			log.Warn("a run is writing to the output; reading what is published so far", "output", cfg.Output)
			return nil
		}
		return err
	}
	defer lk.release()
	return finishInterrupted(cfg.Output, log)
}

// finishInterrupted rolls forward under a held lock and says so.
func finishInterrupted(output string, log *slog.Logger) error {
	rolled, err := recoverStaging(output)
	for _, id := range rolled {
		log.Warn("finished the publish of an interrupted run", "interrupted_run_id", id)
	}
	if err != nil {
		return fmt.Errorf("an interrupted publish under %s could not be finished: %w", output, err)
	}
	return nil
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

// A testPoint is called at named points of a run; it returns an error only
// where a test injects one.
type testPoint func(point string) error

func noTestPoint(string) error { return nil }

// testPoints returns the hook the process tests use to prove that a crash
// or a failure anywhere is safe: at the named point, OPTOUT_TEST_KILL_AT
// sends the process SIGKILL, OPTOUT_TEST_HOLD_AT says so on stderr and
// blocks until the test kills it, and OPTOUT_TEST_FAIL_AT=point=ERRNO
// (EACCES or ENOSPC) fails there as the file system would. Points:
// "locked", "step:<name>", "staged", "journal", "rename:<i>" (before the
// i-th rename of the publish), "publish_first", "mark", "published",
// "written_back"; failures are injected at rename:<i> and mark.
func testPoints() testPoint {
	kill, hold := os.Getenv("OPTOUT_TEST_KILL_AT"), os.Getenv("OPTOUT_TEST_HOLD_AT")
	fail, errno := injectedFailure(os.Getenv("OPTOUT_TEST_FAIL_AT"))
	if kill == "" && hold == "" && fail == "" {
		return noTestPoint
	}
	return func(point string) error {
		switch point {
		case kill:
			_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {} // wait for the signal
		case hold:
			fmt.Fprintf(os.Stderr, "optout-test: holding at %s\n", point)
			select {}
		case fail:
			return errno
		}
		return nil
	}
}

func injectedFailure(spec string) (string, error) {
	if point, ok := strings.CutSuffix(spec, "=EACCES"); ok {
		return point, syscall.EACCES
	}
	if point, ok := strings.CutSuffix(spec, "=ENOSPC"); ok {
		return point, syscall.ENOSPC
	}
	return "", nil
}
