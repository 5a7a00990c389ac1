package cli

import (
	"database/sql"
	"fmt"
	"io/fs"
	"math"
	"path/filepath"
	"strings"
	"testing"
)

// The metrics hold rounded numbers: every share and rate to 6 decimals,
// every number of days to 2, in every metrics table of the demo (whose
// p95 was 190.39999999999998 and whose shares had 16 decimals).
func TestMetricsAreRounded(t *testing.T) {
	cfg, out := demoConfig(t, nil)
	if code, _, se := run(t, "run", "--config", cfg, "--date", "2026-11-21", "--now", "2026-11-22T09:00:00Z"); code != 0 {
		t.Fatalf("exit %d\n%s", code, se)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var files []string
	_ = filepath.WalkDir(filepath.Join(out, "metrics"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".parquet") {
			files = append(files, p)
		}
		return nil
	})
	if len(files) < 8 {
		t.Fatalf("%d metrics files", len(files))
	}
	checked := 0
	for _, f := range files {
		cols, err := db.Query(fmt.Sprintf("SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet('%s')) WHERE column_type = 'DOUBLE'", f))
		if err != nil {
			t.Fatal(err)
		}
		var doubles []string
		for cols.Next() {
			var c string
			_ = cols.Scan(&c)
			doubles = append(doubles, c)
		}
		cols.Close()
		for _, c := range doubles {
			decimals := 6
			if strings.Contains(c, "days") {
				decimals = 2
			}
			rows, err := db.Query(fmt.Sprintf(`SELECT "%s" FROM read_parquet('%s') WHERE "%s" IS NOT NULL`, c, f, c))
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var v float64
				_ = rows.Scan(&v)
				scale := math.Pow(10, float64(decimals))
				if math.Round(v*scale)/scale != v {
					t.Errorf("%s: %s = %v, not rounded to %d decimals", filepath.Base(filepath.Dir(filepath.Dir(f))), c, v, decimals)
				}
				checked++
			}
			rows.Close()
		}
	}
	if checked < 20 {
		t.Errorf("only %d values checked", checked)
	}
}
