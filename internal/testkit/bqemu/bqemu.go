// Package bqemu starts github.com/goccy/bigquery-emulator for tests that
// run the real BigQuery client against it (build tag bqemulator).
package bqemu

import (
	"fmt"
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
	stop := make(chan struct{})
	over := make(chan int64, 1)
	go watchMemory(cmd.Process.Pid, maxRSS, stop, over)
	t.Cleanup(func() {
		close(stop)
		cmd.Process.Kill()
		cmd.Wait()
		select {
		case kb := <-over:
			t.Errorf("the emulator was stopped at %d MiB of memory, over the %d MiB the tests allow it (bqemu.maxRSS)", kb/1024, maxRSS/1024)
		default:
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
// it: its memory only grows with the jobs it runs (a demo run takes it to
// ~17 GB), and on a 24 GB machine past this the kernel would kill
// something at random. The test using it then fails, saying so.
const maxRSS = 20 << 20

// watchMemory kills process pid when its resident memory passes limit KiB,
// reporting the figure on over.
func watchMemory(pid int, limit int64, stop <-chan struct{}, over chan<- int64) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		if err != nil {
			return
		}
		for _, line := range strings.Split(string(b), "\n") {
			var kb int64
			if _, err := fmt.Sscanf(line, "VmRSS: %d kB", &kb); err == nil && kb > limit {
				over <- kb
				syscall.Kill(pid, syscall.SIGKILL)
				return
			}
		}
	}
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
