//go:build !duckdb_arrow

package cli

import (
	"strings"
	"testing"

	"github.com/optout-dev/optout/internal/redact"
)

// TestArrowNeedsTag: a build without the duckdb_arrow tag says how to get
// Arrow IPC support instead of misreading the file.
func TestArrowNeedsTag(t *testing.T) {
	cfg, file := arrowRequestsFixture(t, "ARROW1")
	code, _, se := run(t, "run", "--config", cfg, "--date", "2026-11-21")
	if code != 3 || !strings.Contains(se, redact.String("file "+file+" cannot be read as Arrow IPC")) || !strings.Contains(se, "-tags duckdb_arrow") {
		t.Errorf("exit %d, want 3 saying to build with -tags duckdb_arrow\n%s", code, se)
	}
}
