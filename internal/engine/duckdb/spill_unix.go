//go:build unix

package duckdb

import (
	"os"
	"path/filepath"
	"syscall"
)

// lockSpill creates dir's lock file and locks it (flock, held by the open
// file until Close or the process's end). Where the file system cannot
// lock, the file is removed again, so that no other engine takes the
// folder for abandoned, and nil is returned: the folder is then only
// removed by its own engine's Close.
func lockSpill(dir string) *os.File {
	name := filepath.Join(dir, spillLockName)
	f, err := os.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_RDWR, 0o600)
	if err != nil {
		return nil
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		os.Remove(name)
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
