package duckdb

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// spillPrefix begins the name of every spill folder an engine makes.
const spillPrefix = "optout-"

// spillLockName is the file in a spill folder that its engine holds
// locked for as long as it uses the folder. The kernel lets go of the lock
// when the process ends, however it ends.
const spillLockName = "in-use.lock"

// privateSpill makes the run's folder for DuckDB's temporary files: a new
// folder only its user may enter (0700), in the configured temp_directory
// or, with none, in the system's temporary folder. What DuckDB spills is
// rows of the inputs, people's emails and phones among them, in files it
// makes readable by all (0644 under the usual umask); left to itself it
// spilled them into ".tmp" in the process's working directory (wherever
// a scheduler started it), where the docs said they stayed in memory. The
// work database goes there too (openWork).
//
// Close removes the folder. A killed run cannot, and what it leaves can be
// gigabytes of people's rows (a 100M run spills ~4.5 GB): so the folder is
// held by a lock (lockSpill), and each new engine first removes the
// folders beside its own whose lock nobody holds any more.
func privateSpill(configured string) (dir string, lock *os.File, err error) {
	base := configured
	if base == "" {
		base = os.TempDir()
	}
	if err := os.MkdirAll(base, 0o700); err != nil {
		return "", nil, fmt.Errorf("duckdb temp_directory: %w", err)
	}
	removeAbandonedSpills(base)
	dir, err = os.MkdirTemp(base, spillPrefix)
	if err != nil {
		return "", nil, fmt.Errorf("duckdb temp_directory: %w", err)
	}
	return dir, lockSpill(dir), nil
}

// removeAbandonedSpills removes each spill folder in base that a killed
// engine left: one whose lock file can be locked. A folder without a lock
// file is left alone: it is not one of these, or its engine is still
// making it, or its file system cannot lock (lockSpill). A folder that
// cannot be removed is left too; the run does not need it gone.
func removeAbandonedSpills(base string) {
	entries, err := os.ReadDir(base)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), spillPrefix) {
			continue
		}
		dir := filepath.Join(base, e.Name())
		if lock := takeAbandoned(dir); lock != nil {
			// Removed under the lock: no engine uses a folder it did
			// not make, so nothing can start using this one meanwhile.
			_ = os.RemoveAll(dir)
			lock.Close()
		}
	}
}
