package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// These tests stop a run at every rename of its publish (killed, or failed
// as the file system would fail it), then run any other optout command on
// the output: it must finish the publish first, so that the outputs are
// exactly those of an uninterrupted run, D is marked complete, and the
// interrupted run's runs row is there.

// publishFixture holds a demo copy after run A with set B's requests
// added (each case starts from a copy of it), and the outputs an
// uninterrupted run on set B gives.
type publishFixture struct {
	dir   string // the copy to start each case from (config, data, out)
	wantB map[string]string
}

func newPublishFixture(t *testing.T) publishFixture {
	t.Helper()
	cfgB, outB := demoCopy(t)
	addRequests(t, cfgB)
	if r := runOptout(t, nil, args(cfgB)...); r.code != 0 {
		t.Fatalf("clean run B: %d\n%s", r.code, r.stderr)
	}
	cfg, _ := demoCopy(t)
	if r := runOptout(t, nil, args(cfg)...); r.code != 0 {
		t.Fatalf("run A: %d\n%s", r.code, r.stderr)
	}
	addRequests(t, cfg)
	return publishFixture{dir: filepath.Dir(cfg), wantB: digest(t, outB)}
}

// start copies the fixture for one case.
func (f publishFixture) start(t *testing.T) (cfg, out string) {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("cp", "-a", f.dir+"/.", dir).CombinedOutput(); err != nil {
		t.Fatalf("copy the fixture: %v\n%s", err, out)
	}
	return filepath.Join(dir, "optout.yaml"), filepath.Join(dir, "out")
}

// followUps are the commands that must finish an interrupted publish
// before doing their own work; case i uses followUps[i % len].
var followUps = []struct {
	name string
	args func(cfg string) []string
}{
	{"report", func(cfg string) []string {
		return []string{"report", "--config", cfg, "--date", "2026-11-21", "--out", filepath.Join(filepath.Dir(cfg), "dashboard.html")}
	}},
	{"validate", func(cfg string) []string {
		return []string{"validate", "--config", cfg, "--date", "2026-11-21", "--now", "2026-11-22T09:00:00Z"}
	}},
	{"explain", func(cfg string) []string {
		return []string{"explain", "--config", cfg, "--date", "2026-11-21", "--customer-id", "C00001"}
	}},
	{"backfill", func(cfg string) []string {
		return []string{"backfill", "--config", cfg, "--from", "2026-11-21", "--to", "2026-11-21", "--now", "2026-11-22T09:00:00Z"}
	}},
	{"run", func(cfg string) []string { return args(cfg) }},
}

// afterFollowUp runs follow-up i and checks the output is set B's,
// complete, with no staging left and the interrupted run's runs row.
func (f publishFixture) afterFollowUp(t *testing.T, i int, cfg, out, interrupted string) {
	t.Helper()
	fu := followUps[i%len(followUps)]
	r := runOptout(t, nil, fu.args(cfg)...)
	if r.code != 0 {
		t.Fatalf("%s after the interruption: exit %d\n%s", fu.name, r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "finished the publish of an interrupted run") {
		t.Errorf("%s did not say it finished the interrupted publish\n%s", fu.name, r.stderr)
	}
	assertSame(t, "after "+fu.name, digest(t, out), f.wantB)
	if entries, _ := os.ReadDir(filepath.Join(out, "_optout", "staging")); len(entries) > 0 {
		t.Errorf("staging left behind after %s: %v", fu.name, entries)
	}
	var m struct {
		RunID string `json:"run_id"`
		Date  string `json:"dt"`
	}
	b, err := os.ReadFile(filepath.Join(out, "complete", "dt=2026-11-21", "_SUCCESS"))
	if err != nil || json.Unmarshal(b, &m) != nil || m.Date != "2026-11-21" || m.RunID == "" {
		t.Errorf("complete marker of 2026-11-21 after %s: %q, %v", fu.name, b, err)
	}
	if fu.name != "run" && fu.name != "backfill" && m.RunID != interrupted {
		t.Errorf("the complete marker names run %s, want the interrupted run %s", m.RunID, interrupted)
	}
	if _, err := os.Stat(filepath.Join(out, "runs", interrupted+".parquet")); err != nil {
		t.Errorf("the interrupted run's runs row is missing: %v", err)
	}
}

// runID is the run id in a run's JSON summary, or in its stderr when it
// was killed before printing one.
func runID(t *testing.T, r result) string {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	var s struct {
		RunID string `json:"run_id"`
	}
	if json.Unmarshal([]byte(lines[len(lines)-1]), &s) == nil && s.RunID != "" {
		return s.RunID
	}
	if i := strings.Index(r.stderr, "run_id="); i >= 0 {
		return strings.Fields(r.stderr[i+len("run_id="):])[0]
	}
	t.Fatalf("no run id in the output\n%s\n%s", r.stdout, r.stderr)
	return ""
}

// journalPaths is how many renames the publish of a run on the fixture
// makes: the run is held at its first rename and its journal read.
func publishPaths(t *testing.T, f publishFixture) int {
	t.Helper()
	cfg, out := f.start(t)
	cmd := exec.Command(binary, append(args(cfg), "--log-level", "debug")...)
	cmd.Env = append(os.Environ(), "OPTOUT_TEST_KILL_AT=journal")
	_ = cmd.Run()
	journals, _ := filepath.Glob(filepath.Join(out, "_optout", "staging", "*", "_PUBLISH"))
	if len(journals) != 1 {
		t.Fatalf("%d publish journals after a kill at the journal, want 1", len(journals))
	}
	b, err := os.ReadFile(journals[0])
	var j struct{ Paths []string }
	if err != nil || json.Unmarshal(b, &j) != nil || len(j.Paths) < 20 {
		t.Fatalf("journal %s: %s (%v)", journals[0], b, err)
	}
	return len(j.Paths)
}

func TestKillAtEveryPublishRename(t *testing.T) {
	f := newPublishFixture(t)
	n := publishPaths(t, f)
	points := []string{"mark", "published"}
	for i := 0; i < n; i++ {
		points = append(points, fmt.Sprintf("rename:%d", i))
	}
	for i, point := range points {
		t.Run(point, func(t *testing.T) {
			t.Parallel()
			cfg, out := f.start(t)
			r := runOptout(t, []string{"OPTOUT_TEST_KILL_AT=" + point}, append(args(cfg), "--log-level", "debug")...)
			if !r.signaled {
				t.Fatalf("the run was not killed at %s (exit %d)\n%s", point, r.code, r.stderr)
			}
			digest(t, out) // fails on any partial or unreadable file
			if point != "published" {
				if _, err := os.Stat(filepath.Join(out, "complete", "dt=2026-11-21", "_SUCCESS")); err == nil {
					t.Errorf("killed at %s, before the marker: 2026-11-21 is still marked complete", point)
				}
			}
			f.afterFollowUp(t, i, cfg, out, runID(t, r))
		})
	}
}

func TestFailureAtEveryPublishRenameIsFinishedByTheNextCommand(t *testing.T) {
	f := newPublishFixture(t)
	n := publishPaths(t, f)
	points := []string{"mark"}
	for i := 0; i < n; i++ {
		points = append(points, fmt.Sprintf("rename:%d", i))
	}
	for i, point := range points {
		errno := []string{"EACCES", "ENOSPC"}[i%2]
		// No "=" in the name: the test's temporary folder would become a
		// hive partition column of every input under it.
		t.Run(point+" "+errno, func(t *testing.T) {
			t.Parallel()
			cfg, out := f.start(t)
			r := runOptout(t, []string{"OPTOUT_TEST_FAIL_AT=" + point + "=" + errno}, args(cfg)...)
			if r.code != 1 || !strings.Contains(r.stderr, "was interrupted") || !strings.Contains(r.stderr, "the next optout command on") {
				t.Fatalf("a failure at %s: exit %d, want 1 saying the next command finishes the publish\n%s", point, r.code, r.stderr)
			}
			id := runID(t, r)
			if _, err := os.Stat(filepath.Join(out, "_optout", "staging", id, "_PUBLISH")); err != nil {
				t.Fatalf("the failed publish's journal is gone: %v", err)
			}
			if _, err := os.Stat(filepath.Join(out, "complete", "dt=2026-11-21", "_SUCCESS")); err == nil {
				t.Errorf("a publish that failed at %s left 2026-11-21 marked complete", point)
			}
			f.afterFollowUp(t, i, cfg, out, id)
		})
	}
}
