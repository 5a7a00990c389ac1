//go:build unix

package duckdb

import (
	"os"
	"path/filepath"
	"syscall"
)

// lockSpill locks a new file (flock, held by the open file until Close or
// the process's end) and only then gives it the name spillLockName:
// created under its own name, another engine sweeping the folder could
// take the lock in between and remove the folder as abandoned. Where the
// file system cannot lock, no lock file is left, so that no other engine
// takes the folder for abandoned, and nil is returned: the folder is then
// only removed by its own engine's Close.
func lockSpill(dir string) *os.File {
	f, err := os.CreateTemp(dir, "locking-*")
	if err != nil {
		return nil
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil
	}
	if err := os.Rename(f.Name(), filepath.Join(dir, spillLockName)); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil
	}
	return f
}

// takeAbandoned locks dir's lock file when nobody holds it, and returns it
// open (its lock held); nil when the folder has no lock file or another
// open file holds its lock (an engine of this or another process).
func takeAbandoned(dir string) *os.File {
	f, err := os.Open(filepath.Join(dir, spillLockName))
	if err != nil {
		return nil
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil
	}
	return f
}
