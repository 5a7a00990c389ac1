package cli

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// optout plan starts with a summary of the inputs (files and bytes), the
// outputs and the number of steps, and with --now prints the same bytes
// each time.
func TestPlanSummaryAndReproducible(t *testing.T) {
	cfg, out := demoConfig(t, nil)
	args := []string{"plan", "--config", cfg, "--date", "2026-11-21", "--now", "2026-11-22T09:00:00Z"}
	code, first, se := run(t, args...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, se)
	}
	if _, second, _ := run(t, args...); second != first {
		t.Error("two plans with the same --now differ")
	}
	// A now ahead of the clock is refused, as a run with it is.
	ahead := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	if code, _, se := run(t, "plan", "--config", cfg, "--date", "2026-11-21", "--now", ahead); code != 2 || !strings.Contains(se, "is ahead of the clock") {
		t.Errorf("plan --now %s: exit %d, want 2\n%s", ahead, code, se)
	}
	if !strings.Contains(first, "$1=2026-11-22T09:00:00Z") {
		t.Error("the plan's parameters do not take --now")
	}
	summary, sqlPart, ok := strings.Cut(first, "\n\n-- step 1: ")
	if !ok {
		t.Fatalf("no step 1 after a summary:\n%s", first)
	}
	var files int
	var bytes int64
	_ = filepath.WalkDir("../../../testdata/demo/data", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			st, _ := os.Stat(p)
			files++
			bytes += st.Size()
		}
		return nil
	})
	steps := strings.Count(sqlPart, "\n-- step ") + 1
	for _, want := range []string{
		"-- optout plan for 2026-11-21 on engine duckdb, now 2026-11-22T09:00:00Z (--now)\n",
		fmt.Sprintf("\n-- inputs: 12, %d files, %d bytes\n", files, bytes),
		"\n--   requests       web_form                 11 files, ",
		"\n--   export         meta_audience            1 file, ",
		"\n-- outputs: 33, in " + out + " (and the runs row)\n",
		"\n--   customers_flagged/dt=2026-11-21\n", "\n--   requests_ledger\n", "\n--   metrics/annual_disclosure/dt=2026-11-21\n",
		fmt.Sprintf("\n-- steps: %d, ", steps),
	} {
		if !strings.Contains(summary, want) {
			t.Errorf("the plan's summary lacks %q:\n%s", want, summary)
		}
	}
	assertNoOutput(t, out)
}
