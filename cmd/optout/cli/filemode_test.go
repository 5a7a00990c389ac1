package cli

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Every file and folder optout writes under output has output_file_mode
// (folders the matching x bits), whatever the umask: a umask that would
// let others read (022) and one stricter than the mode (077). Each output
// is run twice (the second publish replaces the first's folders), then
// the dashboard is written into it; a run whose leak check fails writes
// its runs row and lock privately too.
func TestOutputFileModeWhateverTheUmask(t *testing.T) {
	for _, c := range []struct {
		name        string
		umask       int
		line        string
		file, dirs  fs.FileMode
		plantedLeak bool
	}{
		{"default under umask 022", 0o022, "", 0o600, 0o700, false},
		{"0640 under umask 077", 0o077, "output_file_mode: \"0640\"\n", 0o640, 0o750, false},
		{"failed run under umask 022", 0o022, "", 0o600, 0o700, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			old := syscall.Umask(c.umask)
			defer syscall.Umask(old)
			cfg, out := demoConfig(t, func(s string) string { return c.line + s })
			args := append([]string{"run", "--config", cfg}, demoRun...)
			if c.plantedLeak {
				t.Setenv("OPTOUT_TEST_PLANT_LEAK", "partner_list_rental")
				if code, _, se := run(t, args...); code != 1 {
					t.Fatalf("planted leak: exit %d, want 1\n%s", code, se)
				}
			} else {
				for range 2 {
					if code, _, se := run(t, args...); code != 0 {
						t.Fatalf("exit %d\n%s", code, se)
					}
				}
				if code, _, se := run(t, "report", "--config", cfg, "--date", "2026-11-21"); code != 0 {
					t.Fatalf("report: exit %d\n%s", code, se)
				}
			}
			var files, dirs []string
			err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				info, err := d.Info()
				if err != nil {
					return err
				}
				want, list := c.file, &files
				if d.IsDir() {
					want, list = c.dirs, &dirs
				}
				rel, _ := filepath.Rel(out, p)
				*list = append(*list, rel)
				if info.Mode().Perm() != want {
					t.Errorf("%s: mode %o, want %o", rel, info.Mode().Perm(), want)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			// The walk saw what it had to: the tables, an export's
			// _SUCCESS, the catalog, the runs rows, the lock, the dashboard.
			want := []string{"runs", "_optout/lock", "_optout/staging"}
			if !c.plantedLeak {
				want = append(want, "customers_flagged/dt=2026-11-21/part-0.parquet", "exports/partner_list_rental/dt=2026-11-21/part-0.csv",
					"exports/partner_list_rental/dt=2026-11-21/_SUCCESS", "quarantine/web_form/dt=2026-11-21", "optout.duckdb",
					"_optout/trash", "report/dt=2026-11-21/dashboard.html")
			}
			all := strings.Join(append(files, dirs...), "\n") + "\n"
			for _, w := range want {
				if !strings.Contains(all, w+"\n") {
					t.Errorf("no %s under output", w)
				}
			}
			if runs, _ := filepath.Glob(filepath.Join(out, "runs", "*.parquet")); len(runs) == 0 {
				t.Error("no runs row")
			}
		})
	}
}

// The output folder the operator made keeps its own mode.
func TestExistingOutputFolderKeepsItsMode(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	cfg, out := demoConfig(t, nil)
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	if code, _, se := run(t, append([]string{"run", "--config", cfg}, demoRun...)...); code != 0 {
		t.Fatalf("exit %d\n%s", code, se)
	}
	st, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o755 {
		t.Errorf("output folder %o, want the operator's 0755", st.Mode().Perm())
	}
	if st, err := os.Stat(filepath.Join(out, "customers_flagged")); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("customers_flagged: %v, %v", st.Mode(), err)
	}
}
