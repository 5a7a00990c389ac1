package files

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/optout-dev/optout/internal/config"
)

// Private outputs (SPEC §7): every file optout writes under the output
// folder gets output_file_mode and every folder it makes there the
// matching folder mode (config.FileMode.FolderMode), whatever the process
// umask. The modes are set explicitly, because DuckDB's COPY creates its
// files with the umask (0644 under the usual 022) and os.MkdirAll applies
// it too. The rule covers everything under output, not only the tables
// that hold personal data: one rule, nothing to classify, and runs,
// metrics, the catalog and the lock are nobody else's business either.
// The staging area is made 0700 from the start (newStage), so a staged
// file is never readable by others while DuckDB writes it.

// privateStage gives every staged file and folder the output modes, and
// makes the folders the staged ones are published into (and the internal
// ones the publish uses) with the folder mode. The publish path calls it
// before the journal is written: from then on a crash is rolled forward
// by the next run (recoverStaging), which only renames what it finds.
func privateStage(output, staging string, rels []string, mode config.FileMode) error {
	if err := chmodTree(staging, mode); err != nil {
		return err
	}
	parents := []string{filepath.Join(internalDir, "staging"), filepath.Join(internalDir, "trash")}
	for _, rel := range rels {
		parents = append(parents, filepath.Dir(rel))
	}
	for _, rel := range parents {
		if _, err := mkdirOutput(output, rel, mode); err != nil {
			return err
		}
	}
	return nil
}

// chmodTree gives root and everything under it the output modes.
func chmodTree(root string, mode config.FileMode) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir():
			return os.Chmod(p, mode.FolderMode())
		case d.Type().IsRegular():
			return os.Chmod(p, mode.FileMode)
		}
		return nil // optout writes no links: never follow one
	})
}

// mkdirOutput makes folder rel under output, and output itself when it is
// missing, and gives each folder from output's child down to rel the
// folder mode. An output folder that already exists keeps its own mode:
// it is the operator's, and may be shared.
func mkdirOutput(output, rel string, mode config.FileMode) (string, error) {
	_, err := os.Stat(output)
	created := errors.Is(err, fs.ErrNotExist)
	dir := filepath.Join(output, rel)
	if err := os.MkdirAll(dir, mode.FolderMode()); err != nil {
		return "", err
	}
	p := output
	if created {
		if err := os.Chmod(output, mode.FolderMode()); err != nil {
			return "", err
		}
	}
	for _, part := range strings.Split(filepath.Clean(rel), string(filepath.Separator)) {
		if part == "." {
			continue
		}
		p = filepath.Join(p, part)
		if err := os.Chmod(p, mode.FolderMode()); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// privateFile gives file the output file mode when it lies under output
// (a file the operator put elsewhere keeps its own).
func privateFile(output, file string, mode config.FileMode) error {
	if _, ok := outputRel(output, file); !ok {
		return nil
	}
	return os.Chmod(file, mode.FileMode)
}

// outputRel is path relative to the output folder, when it lies there.
func outputRel(output, path string) (string, bool) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", false
	}
	rel, err := filepath.Rel(output, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return rel, true
}
