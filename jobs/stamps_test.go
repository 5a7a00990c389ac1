//go:build !no_duckdb

package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/optout-dev/optout/internal/exit"
)

// Every step reads the input files again, so a customers file an upstream
// job rewrites while the run goes would give one date two versions of it:
// flags decided from the old rows, written onto the new. Here the file is
// rewritten as customers_flagged starts, once replaced by a rename (the
// same rows, another file), once in place (one customer's email changed)
// and once in place with its size and modification time kept: the run
// fails (exit 1) naming the file, and publishes nothing.
func TestRunFailsWhenAnInputFileChangesDuringTheRun(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// rewrite writes the rows of from, edited by the SELECT list sel, to
	// a new file and returns its bytes.
	rewrite := func(from, sel string) []byte {
		t.Helper()
		tmp := filepath.Join(t.TempDir(), "customers.parquet")
		if _, err := db.Exec(fmt.Sprintf("COPY (SELECT %s FROM read_parquet('%s')) TO '%s' (FORMAT parquet)", sel, from, tmp)); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(tmp)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, c := range []struct {
		name, want string
		change     func(file string)
	}{
		{"replaced by a rename", "replaced by another file", func(file string) {
			if err := os.WriteFile(file+".tmp", rewrite(file, "*"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(file+".tmp", file); err != nil {
				t.Fatal(err)
			}
		}},
		{"rewritten in place", "size ", func(file string) {
			b := rewrite(file, "* REPLACE (CASE WHEN customer_id = (SELECT min(customer_id) FROM read_parquet('"+file+"')) THEN 'someone.else@example.com' ELSE email END AS email)")
			if err := os.WriteFile(file, b, 0o600); err != nil { // truncates: the same file
				t.Fatal(err)
			}
		}},
		{"rewritten in place, its size and time kept", "written again at ", func(file string) {
			// The same bytes written again: a run cannot tell an edit of
			// the same size from them without reading the file.
			before, err := os.Stat(file)
			if err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, b, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(file, before.ModTime(), before.ModTime()); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := demoConfig(t)
			changing := filepath.Join(t.TempDir(), "customers.parquet")
			if err := os.WriteFile(changing, rewrite(filepath.Join(cfg.Inputs.Customers.Path, "*.parquet"), "*"), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg.Inputs.Customers.Path = changing
			var changed bool
			date := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
			_, err := Run(context.Background(), RunOptions{Config: cfg, Date: date, Now: date.Add(33 * time.Hour),
				OnStep: func(step string, _, _ int) {
					if step == "customers_flagged" && !changed {
						c.change(changing)
						changed = true
					}
				}})
			if !changed {
				t.Fatalf("the run never reached step customers_flagged (error %v)", err)
			}
			if err == nil || exit.Code(err) != exit.Failed || !strings.Contains(err.Error(), "input customers: file "+changing+" ("+c.want) {
				t.Fatalf("the run's error: %v (exit %d); want exit %d naming %s as %q", err, exit.Code(err), exit.Failed, changing, c.want)
			}
			if _, serr := os.Stat(filepath.Join(cfg.Output, "customers_flagged", "dt=2026-11-21")); !os.IsNotExist(serr) {
				t.Errorf("customers_flagged of the failed run is in the output folder (stat: %v)", serr)
			}
		})
	}
}
