package bqemu

import (
	"os/exec"
	"testing"
	"time"
)

// A process over the limit is killed and its memory reported; one under it
// runs on.
func TestWatchMemory(t *testing.T) {
	for _, tc := range []struct {
		limit int64
		kill  bool
	}{{1, true}, {1 << 30, false}} {
		cmd := exec.Command("sleep", "5")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		w := &watch{pid: cmd.Process.Pid, limit: tc.limit, stop: make(chan struct{}), over: make(chan int64, 1), done: make(chan struct{})}
		go w.run()
		select {
		case kb := <-w.over:
			if !tc.kill || kb <= tc.limit {
				t.Errorf("limit %d KiB: stopped at %d KiB", tc.limit, kb)
			}
			if err := cmd.Wait(); err == nil {
				t.Errorf("limit %d KiB: the process was not killed", tc.limit)
			}
		case <-time.After(2500 * time.Millisecond):
			if tc.kill {
				t.Errorf("limit %d KiB: not stopped", tc.limit)
			}
			cmd.Process.Kill()
			cmd.Wait()
		}
		close(w.stop)
		<-w.done
		if w.peak <= 0 {
			t.Errorf("limit %d KiB: no peak memory noted", tc.limit)
		}
	}
}
