// Package testpoint lets the tests stop or fail a run at a named point of
// its lifecycle, to prove that a crash or a failure anywhere is safe, and
// plant a leak to prove the leak check fires. It is off in the product:
// only a test (Enable) or a binary built with -tags optouttest turns it
// on, and only then are its environment variables read.
package testpoint

import (
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/optout-dev/optout/internal/engine"
)

// None is the hook of a run no test drives.
func None(string) error { return nil }

// enabled is set by Enable, from tests and optouttest builds alone.
var enabled bool

// Enable turns the test points on for this process.
func Enable() { enabled = true }

// PlantLeak names the export a test wants written unfiltered
// (OPTOUT_TEST_PLANT_LEAK), so that its leak check must fail the run.
func PlantLeak() string {
	if !enabled {
		return ""
	}
	return os.Getenv("OPTOUT_TEST_PLANT_LEAK")
}

// ProfileDir is where a DuckDB run writes each step's query profile
// (OPTOUT_TEST_PROFILE_DIR, docs/performance.md): "<dir>/<step>.json".
func ProfileDir() string {
	if !enabled {
		return ""
	}
	return os.Getenv("OPTOUT_TEST_PROFILE_DIR")
}

// FromEnv returns the hook the process tests drive: at the named point,
// OPTOUT_TEST_KILL_AT sends the process SIGKILL, OPTOUT_TEST_HOLD_AT says
// so on stderr and blocks until the test kills it or sends SIGTERM (a
// scheduler's stop: the run goes on, its context cancelled), and
// OPTOUT_TEST_FAIL_AT=point=ERRNO (EACCES or ENOSPC) fails there as the
// file system would. Points: "locked", "step:<name>", "staged", "journal",
// "rename:<i>" (before the i-th rename of the publish), "publish_first",
// "mark", "published", "write_back_uncommitted", "written_back",
// "retention_moved" (a date folder moved out, not yet deleted); failures
// are injected at rename:<i>, mark and written_back (a failure after the
// publish, as a failed retention gives).
func FromEnv() engine.TestPoint {
	if !enabled {
		return None
	}
	kill, hold := os.Getenv("OPTOUT_TEST_KILL_AT"), os.Getenv("OPTOUT_TEST_HOLD_AT")
	fail, errno := injectedFailure(os.Getenv("OPTOUT_TEST_FAIL_AT"))
	if kill == "" && hold == "" && fail == "" {
		return None
	}
	return func(point string) error {
		switch point {
		case kill:
			_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {} // wait for the signal
		case hold:
			term := make(chan os.Signal, 1)
			signal.Notify(term, syscall.SIGTERM)
			fmt.Fprintf(os.Stderr, "optout-test: holding at %s\n", point)
			<-term
			signal.Stop(term)
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
