// Package bqemu starts github.com/goccy/bigquery-emulator for tests that
// run the real BigQuery client against it (build tag bqemulator).
package bqemu

import (
	"fmt"
	"net"
	"os"
	"os/exec"
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
	if os.Getenv("OPTOUT_BQ_EMULATOR_LOG") != "" {
		cmd.Stderr = os.Stderr
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
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

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
