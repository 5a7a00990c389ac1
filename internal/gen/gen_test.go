package gen

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func digest(t *testing.T, dir string) map[string]string {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := map[string]string{}
	files, _ := filepath.Glob(filepath.Join(dir, "data", "*", "*.parquet"))
	more, _ := filepath.Glob(filepath.Join(dir, "data", "*.parquet"))
	for _, f := range append(files, more...) {
		var h string
		var n int64
		q := fmt.Sprintf("SELECT md5(string_agg(CAST(t AS VARCHAR), '|' ORDER BY CAST(t AS VARCHAR))), count(*) FROM read_parquet('%s') t", f)
		if err := db.QueryRow(q).Scan(&h, &n); err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, f)
		out[rel] = fmt.Sprintf("%s/%d", h, n)
	}
	return out
}

func TestDeterministicAndSized(t *testing.T) {
	s := Sizes{Customers: 5000, Requests: 800, ExportRows: 1200, Seed: 7}
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	for _, d := range []struct {
		dir  string
		seed int64
	}{{a, 7}, {b, 7}, {c, 8}} {
		s.Seed = d.seed
		if err := Write(context.Background(), d.dir, s); err != nil {
			t.Fatal(err)
		}
	}
	da, db, dc := digest(t, a), digest(t, b), digest(t, c)
	if len(da) != 8 {
		t.Fatalf("%d files: %v", len(da), da)
	}
	for f := range da {
		if da[f] != db[f] {
			t.Errorf("%s differs between two runs with the same seed", f)
		}
	}
	if da["data/customers.parquet"] == dc["data/customers.parquet"] {
		t.Error("another seed gave the same customers")
	}
	sql, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer sql.Close()
	count := func(glob string) (n int64) {
		if err := sql.QueryRow(fmt.Sprintf("SELECT count(*) FROM read_parquet('%s')", filepath.Join(a, glob))).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count("data/customers.parquet"); n != 5000 {
		t.Errorf("%d customers", n)
	}
	if n := count("data/requests/*.parquet"); n != 800 {
		t.Errorf("%d requests", n)
	}
	if n := count("data/exports/ad_audience.parquet"); n != 1200 {
		t.Errorf("%d export rows", n)
	}
}

// TestReplacesNothing: a folder with an optout.yaml or a data/ folder is
// refused, and what it holds is left as it was.
func TestReplacesNothing(t *testing.T) {
	s := Sizes{Customers: 10, Requests: 10, ExportRows: 10, Seed: 1}
	for _, name := range []string{"optout.yaml", "data"} {
		dir := t.TempDir()
		mine := filepath.Join(dir, name)
		if name == "data" {
			if err := os.Mkdir(mine, 0o755); err != nil {
				t.Fatal(err)
			}
			mine = filepath.Join(mine, "customers.parquet")
		}
		if err := os.WriteFile(mine, []byte("real"), 0o644); err != nil {
			t.Fatal(err)
		}
		err := Write(context.Background(), dir, s)
		if err == nil || !strings.Contains(err.Error(), "already has "+name) {
			t.Errorf("gen into a folder with %s: %v, want a refusal naming it", name, err)
		}
		if b, _ := os.ReadFile(mine); string(b) != "real" {
			t.Errorf("gen replaced %s", mine)
		}
	}
}
