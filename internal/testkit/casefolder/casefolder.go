// Package casefolder prepares a semantic case folder (testdata/cases/<case>)
// for the tests that run it: its config and inputs in a work folder, and
// the runs it asks for.
package casefolder

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	_ "github.com/duckdb/duckdb-go/v2" // the inputs are written by DuckDB
)

// DefaultRun is the run of a case without a runs file.
const DefaultRun = "--date 2026-11-21 --now 2026-11-22T12:00:00Z"

// Prepare copies dir's optout.yaml into work and writes each
// inputs/<name>.sql of dir (one SELECT) as work/inputs/<name>.parquet.
func Prepare(dir, work string) error {
	cfg, err := os.ReadFile(filepath.Join(dir, "optout.yaml"))
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(work, "optout.yaml"), cfg, 0o644); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(work, "inputs"), 0o755); err != nil {
		return err
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Exec("SET TimeZone = 'UTC'"); err != nil {
		return err
	}
	inputs, _ := filepath.Glob(filepath.Join(dir, "inputs", "*.sql"))
	for _, in := range inputs {
		q, err := os.ReadFile(in)
		if err != nil {
			return err
		}
		out := filepath.Join(work, "inputs", strings.TrimSuffix(filepath.Base(in), ".sql")+".parquet")
		copy := fmt.Sprintf("COPY (%s) TO '%s' (FORMAT parquet)", strings.TrimRight(strings.TrimSpace(string(q)), ";"), out)
		if _, err := db.Exec(copy); err != nil {
			return fmt.Errorf("%s: %w", in, err)
		}
	}
	return nil
}

// Runs returns the command-line arguments of each run the case asks for,
// in order: the lines of its runs file (blank and # lines skipped), else
// DefaultRun.
func Runs(dir string) ([]string, error) {
	b, err := os.ReadFile(filepath.Join(dir, "runs"))
	if os.IsNotExist(err) {
		return []string{DefaultRun}, nil
	}
	if err != nil {
		return nil, err
	}
	return NonEmptyLines(string(b)), nil
}

// NonEmptyLines returns the trimmed lines of s that are neither blank nor
// # comments.
func NonEmptyLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}
