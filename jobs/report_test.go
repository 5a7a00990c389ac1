package jobs

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/optout-dev/optout/internal/config"
)

// TestDashboardPath: the dashboard goes to --out, or to
// report/dt=D/dashboard.html under the output folder or, without one
// (engine bigquery), under the working directory; always as an absolute
// path, and with output_file_mode unless --out puts it outside the output.
func TestDashboardPath(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	elsewhere := filepath.Join(t.TempDir(), "dash.html")
	withOutput := &config.Config{Output: out, OutputFileMode: config.FileMode{FileMode: 0o640}}
	noOutput := &config.Config{OutputFileMode: config.FileMode{FileMode: 0o640}}
	for _, c := range []struct {
		name     string
		cfg      *config.Config
		out      string
		wantPath string
		wantMode os.FileMode
	}{
		{"default under the output", withOutput, "", filepath.Join(out, "report", "dt=2026-11-21", "dashboard.html"), 0o640},
		{"default without an output folder", noOutput, "", filepath.Join(wd, "report", "dt=2026-11-21", "dashboard.html"), 0o640},
		{"out inside the output", withOutput, filepath.Join(out, "mine.html"), filepath.Join(out, "mine.html"), 0o640},
		{"out elsewhere", withOutput, elsewhere, elsewhere, 0o644},
		{"out elsewhere without an output folder", noOutput, elsewhere, elsewhere, 0o644},
		{"relative out", noOutput, "dash.html", filepath.Join(wd, "dash.html"), 0o644},
	} {
		t.Run(c.name, func(t *testing.T) {
			path, mode := dashboardPath(c.cfg, "2026-11-21", c.out)
			if path != c.wantPath || mode != c.wantMode {
				t.Errorf("%s, %o; want %s, %o", path, mode, c.wantPath, c.wantMode)
			}
		})
	}
}
