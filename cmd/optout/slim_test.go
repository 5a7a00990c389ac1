package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuildWithoutDuckDB builds the BigQuery-only binary (no cgo, no
// DuckDB) and checks that it runs and refuses the DuckDB engine clearly.
func TestBuildWithoutDuckDB(t *testing.T) {
	slim := filepath.Join(t.TempDir(), "optout-slim")
	build := exec.Command("go", "build", "-tags", "no_duckdb", "-o", slim, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("CGO_ENABLED=0 go build -tags no_duckdb: %v\n%s", err, out)
	}
	deps, err := exec.Command("go", "list", "-deps", "-tags", "no_duckdb", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(deps), "duckdb-go") {
		t.Error("the no_duckdb build still links duckdb-go")
	}
	cfg, _ := demoCopy(t)
	var stderr bytes.Buffer
	run := exec.Command(slim, "run", "--config", cfg, "--date", "2026-11-21")
	run.Stderr = &stderr
	err = run.Run()
	if code := run.ProcessState.ExitCode(); code != 2 {
		t.Fatalf("engine: duckdb on the slim binary: exit %d (%v), want 2\n%s", code, err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "built without DuckDB (-tags no_duckdb)") {
		t.Errorf("stderr does not say why:\n%s", stderr.String())
	}
}
