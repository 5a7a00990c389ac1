package duckdb

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/optout-dev/optout/transforms"
)

// With ProfileDir set, each step leaves DuckDB's JSON profile of its
// query under its name, and the profiler is off again afterwards.
func TestProfileDirGetsEachStepsProfile(t *testing.T) {
	ctx, e := context.Background(), openEngine(t)
	e.ProfileDir = t.TempDir()
	for _, s := range []transforms.Step{
		{Name: "numbers", Kind: transforms.Temp, Table: "numbers", SQL: "SELECT range AS n FROM range(1000)"},
		{Name: "total", Kind: transforms.Check, SQL: `SELECT sum(n) AS total FROM "_optout_numbers"`},
	} {
		if _, _, err := e.Run(ctx, s); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(e.ProfileDir, s.Name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var p struct {
			Children []any `json:"children"`
		}
		if err := json.Unmarshal(b, &p); err != nil || len(p.Children) == 0 {
			t.Errorf("%s: no query profile (%v):\n%s", s.Name, err, b)
		}
	}
	rows, err := e.Query(ctx, "SELECT current_setting('enable_profiling') AS on")
	if err != nil {
		t.Fatal(err)
	}
	if on := rows[0]["on"]; on != nil && on != "" && on != false {
		t.Errorf("profiling left on after the steps: %v", on)
	}
}
