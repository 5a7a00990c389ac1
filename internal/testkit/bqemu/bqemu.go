// Package bqemu starts github.com/goccy/bigquery-emulator for tests that
// run the real BigQuery client against it (build tag bqemulator).
package bqemu

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Project and Dataset are what the emulator starts with.
const (
	Project = "optout-test"
	Dataset = "optout"
)

// Start runs the emulator binary named by OPTOUT_BQ_EMULATOR on a free
// port of 127.0.0.1 until the test ends, and returns its endpoint.
func Start(t testing.TB) string {
	t.Helper()
	bin := os.Getenv("OPTOUT_BQ_EMULATOR")
	if bin == "" {
		t.Fatal("OPTOUT_BQ_EMULATOR is not set: build github.com/goccy/bigquery-emulator v0.6.6 (CC=clang) and point it at the binary")
	}
	port := freePort(t)
	cmd := exec.Command(bin, "--project="+Project, "--dataset="+Dataset, "--host=127.0.0.1",
		fmt.Sprintf("--port=%d", port), fmt.Sprintf("--grpc-port=%d", freePort(t)))
	if level := os.Getenv("OPTOUT_BQ_EMULATOR_LOG"); level != "" {
		cmd.Stderr = os.Stderr
		if level == "debug" {
			cmd.Args = append(cmd.Args, "--log-level=debug")
		}
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w := &watch{pid: cmd.Process.Pid, limit: maxRSS, stop: make(chan struct{}), over: make(chan int64, 1), done: make(chan struct{})}
	if testing.Verbose() {
		w.trace = os.Stderr
	}
	go w.run()
	t.Cleanup(func() {
		close(w.stop)
		<-w.done
		peak := max(w.peak, statusKB(w.pid, "VmHWM")) // the kernel's high-water mark, if it still runs
		cmd.Process.Kill()
		cmd.Wait()
		select {
		case kb := <-w.over:
			t.Errorf("the emulator was stopped at %d MiB of memory, over the %d MiB the tests allow it (bqemu.maxRSS)", kb/1024, maxRSS/1024)
		default:
			t.Logf("the emulator's peak memory (RSS): %d MiB", peak/1024)
		}
	})
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the emulator did not listen on %s", addr)
		}
	}
	return "http://" + addr
}

// maxRSS (KiB) is the memory the emulator may take before the tests stop
// it: its memory only grows with the jobs it runs (the demo run peaks near
// 1.5 GiB, the two-date backfill near 6 GiB), and a regression past 10 GiB
// would take most of CI's machine. The test using it then fails, saying so.
const maxRSS = 10 << 20

// watch follows the emulator's resident memory: it keeps the peak, and
// kills the process when it passes limit KiB, reporting the figure on over.
type watch struct {
	pid   int
	limit int64
	stop  chan struct{}
	over  chan int64
	done  chan struct{} // closed when run returns
	peak  int64         // KiB, sampled each second; read after done
	// trace, when set, gets a line each time the memory grows by
	// traceStep, to see which steps take it (timestamps as the run's log).
	trace io.Writer
}

const traceStep = 256 << 10 // KiB

func (w *watch) run() {
	defer close(w.done)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	traced := int64(0)
	for {
		select {
		case <-w.stop:
			return
		case <-tick.C:
		}
		kb := statusKB(w.pid, "VmRSS")
		if kb < 0 {
			return
		}
		w.peak = max(w.peak, kb)
		if w.trace != nil && kb >= traced+traceStep {
			traced = kb
			fmt.Fprintf(w.trace, "time=%s msg=\"emulator memory\" rss_mib=%d\n", time.Now().Format(time.RFC3339Nano), kb/1024)
		}
		if kb > w.limit {
			w.over <- kb
			syscall.Kill(w.pid, syscall.SIGKILL)
			return
		}
	}
}

// statusKB reads a KiB figure (VmRSS, VmHWM) of process pid's status, -1
// when the process is gone.
func statusKB(pid int, field string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		var kb int64
		if _, err := fmt.Sscanf(line, field+": %d kB", &kb); err == nil {
			return kb
		}
	}
	return -1
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
