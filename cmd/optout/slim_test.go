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

// TestVersionFromBuildInfo: optout --version prints the module version
// and the commit it was built from (go build stamps them with -buildvcs).
func TestVersionFromBuildInfo(t *testing.T) {
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skipf("not a git checkout (git rev-parse HEAD: %v): no revision to stamp", err)
	}
	bin := filepath.Join(t.TempDir(), "optout")
	build := exec.Command("go", "build", "-buildvcs=true", "-tags", "no_duckdb", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build -buildvcs=true: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(out))
	rev := strings.TrimSpace(string(head))
	if len(f) != 3 || f[0] != "optout" || !strings.HasPrefix(f[1], "v") || strings.TrimSuffix(f[2], "+modified") != rev {
		t.Errorf("optout --version printed %q, want optout, a module version and %s", out, rev)
	}
}
