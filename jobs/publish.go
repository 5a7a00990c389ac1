package jobs

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// A run writes every output folder into its staging area, then publishes
// them by renaming each folder into place. Before the first rename it
// commits a journal listing the folders; a run that dies after that point is
// rolled forward by the next run on the same output (recoverStaging), one
// that dies before it leaves the published outputs untouched and its staging
// area is discarded. Renames within one file system are atomic, so a reader
// sees a folder's old files or its new files, never a mix or a partial file.

const journalName = "_PUBLISH"

type stage struct {
	output string
	dir    string // <output>/_optout/staging/<run>
	trash  string // <output>/_optout/trash/<run>
	rels   []string
}

func newStage(output, runID string) (*stage, error) {
	s := &stage{
		output: output,
		dir:    filepath.Join(output, internalDir, "staging", runID),
		trash:  filepath.Join(output, internalDir, "trash", runID),
	}
	return s, os.MkdirAll(s.dir, 0o700)
}

// folder returns the staging path of output folder rel, creating it.
func (s *stage) folder(rel string) (string, error) {
	p := filepath.Join(s.dir, rel)
	if err := os.MkdirAll(p, 0o700); err != nil {
		return "", err
	}
	s.rels = append(s.rels, rel)
	return p, nil
}

// discard removes the staging area of a run that will not publish.
func (s *stage) discard() { _ = os.RemoveAll(s.dir) }

// commit writes the journal and publishes every staged folder.
func (s *stage) commit(hook func(point string)) error {
	data, err := json.Marshal(s.rels)
	if err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(s.dir, journalName), data); err != nil {
		return fmt.Errorf("publish journal: %w", err)
	}
	hook("journal")
	return applyJournal(s.output, s.dir, s.trash, s.rels, hook)
}

func applyJournal(output, dir, trash string, rels []string, hook func(string)) error {
	for i, rel := range rels {
		src, dst, old := filepath.Join(dir, rel), filepath.Join(output, rel), filepath.Join(trash, rel)
		if _, err := os.Stat(src); errors.Is(err, os.ErrNotExist) {
			continue // published before a crash
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			return err
		}
		if _, err := os.Stat(dst); err == nil {
			_ = os.RemoveAll(old)
			if err := os.MkdirAll(filepath.Dir(old), 0o700); err != nil {
				return err
			}
			if err := os.Rename(dst, old); err != nil {
				return fmt.Errorf("publish %s: %w", rel, err)
			}
		}
		if err := os.Rename(src, dst); err != nil {
			return fmt.Errorf("publish %s: %w", rel, err)
		}
		if i == 0 {
			hook("publish_first")
		}
	}
	hook("published")
	syncDir(output)
	if err := os.RemoveAll(trash); err != nil {
		return err
	}
	return os.RemoveAll(dir)
}

// recoverStaging finishes the publish of any run that committed its
// journal and died, and discards the staging of runs that did not.
// It returns the runs it rolled forward.
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
		var rels []string
		if err := json.Unmarshal(data, &rels); err != nil {
			return rolled, fmt.Errorf("publish journal %s: %w", dir, err)
		}
		trash := filepath.Join(output, internalDir, "trash", e.Name())
		if err := applyJournal(output, dir, trash, rels, func(string) {}); err != nil {
			return rolled, err
		}
		rolled = append(rolled, e.Name())
	}
	return rolled, nil
}

// writeFileAtomic writes data to path through a synced temporary file.
func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
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

// testKillHook returns the hook the process tests use to prove that a crash
// anywhere is safe: at the named point, OPTOUT_TEST_KILL_AT sends the
// process SIGKILL, and OPTOUT_TEST_HOLD_AT says so on stderr and blocks
// until the test kills it. Points: "locked", "step:<name>", "staged",
// "journal", "publish_first", "published".
func testKillHook() func(point string) {
	kill, hold := os.Getenv("OPTOUT_TEST_KILL_AT"), os.Getenv("OPTOUT_TEST_HOLD_AT")
	return func(point string) {
		switch point {
		case kill:
			_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {} // wait for the signal
		case hold:
			fmt.Fprintf(os.Stderr, "optout-test: holding at %s\n", point)
			select {}
		}
	}
}
