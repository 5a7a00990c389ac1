package files

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/internal/exit"
)

// internalDir holds optout's own files under the output folder: the lock,
// the staging area and the publish journal. Readers of the output tables
// never look there.
const internalDir = "_optout"

// lock is an exclusive advisory lock on the output folder; the kernel drops
// it when the process dies, so a killed run never leaves a stale lock.
type lock struct{ f *os.File }

func acquireLock(output string, mode config.FileMode) (*lock, error) {
	dir, err := mkdirOutput(output, internalDir, mode)
	if err != nil {
		return nil, fmt.Errorf("output %s: %w", output, err)
	}
	path := filepath.Join(dir, "lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, mode.FileMode)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := f.Chmod(mode.FileMode); err != nil { // OpenFile's mode passes the umask
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder, _ := os.ReadFile(path)
		f.Close()
		return nil, exit.With(exit.Locked, fmt.Errorf("another optout run (pid %s) is writing to %s; wait for it to finish",
			strings.TrimSpace(string(holder)), output))
	}
	_ = f.Truncate(0)
	_, _ = f.WriteAt([]byte(fmt.Sprintf("%d\n", os.Getpid())), 0)
	return &lock{f: f}, nil
}

func (l *lock) release() {
	if l != nil && l.f != nil {
		_ = syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
		l.f.Close()
	}
}
