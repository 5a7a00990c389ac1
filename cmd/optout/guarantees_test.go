package main

import (
	"bufio"
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
)

// These tests drive the real optout binary as separate processes: killed
// with SIGKILL mid-run, racing for the lock, rerun.

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "optout-bin")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "optout")
	out, err := exec.Command("go", "build", "-tags", "optouttest", "-o", binary, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build optout: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// demoCopy copies the demo data set and a config writing to <tmp>/out.
func demoCopy(t *testing.T) (cfg, out string) {
	t.Helper()
	tmp := t.TempDir()
	src := "../../testdata/demo"
	err := filepath.WalkDir(filepath.Join(src, "data"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(tmp, filepath.Dir(rel)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(tmp, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	y, err := os.ReadFile(filepath.Join(src, "optout.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	conf := strings.Replace(string(y), "output: ../../out/demo", "output: out", 1)
	cfg = filepath.Join(tmp, "optout.yaml")
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg, filepath.Join(tmp, "out")
}

type result struct {
	code           int
	signaled       bool
	stdout, stderr string
}

func runOptout(t *testing.T, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), env...)
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	err := cmd.Run()
	r := result{stdout: so.String(), stderr: se.String()}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		r.code = ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			r.signaled = true
		}
	} else if err != nil {
		t.Fatal(err)
	}
	return r
}

// nightly runs date dt at now with config cfg, and fails the test unless
// the run succeeds.
func nightly(t *testing.T, cfg, dt, now string) {
	t.Helper()
	if r := runOptout(t, nil, "run", "--date", dt, "--now", now, "--config", cfg); r.code != 0 {
		t.Fatalf("run of %s: exit %d\n%s", dt, r.code, r.stderr)
	}
}

var runArgs = []string{"run", "--date", "2026-11-21", "--now", "2026-11-22T09:00:00Z"}

func args(cfg string) []string { return append(append([]string{}, runArgs...), "--config", cfg) }

// digest returns, per output file (except runs/ and _optout/), a digest of
// its rows independent of their order; it fails on an unreadable file.
func digest(t *testing.T, out string) map[string]string {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got := map[string]string{}
	err = filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(out, p)
		if d.IsDir() {
			if rel == "_optout" || rel == "runs" {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.Contains(d.Name(), ".duckdb") {
			return nil // the analysts' catalog: views, rebuilt by every run
		}
		if d.Name() == "_SUCCESS" {
			got[rel] = "marker"
			return nil
		}
		reader := "read_parquet(?, hive_partitioning = false)"
		if strings.HasSuffix(p, ".csv") {
			reader = "read_csv(?, all_varchar = true, hive_partitioning = false)"
		}
		var h string
		// source_file (quarantine) names the copy's own absolute path.
		q := `SELECT coalesce(md5(string_agg(CAST(t AS VARCHAR), chr(10) ORDER BY CAST(t AS VARCHAR))), 'empty')
			FROM (SELECT COLUMNS(c -> c <> 'source_file') FROM ` + reader + `) t`
		if err := db.QueryRow(q, p).Scan(&h); err != nil {
			return fmt.Errorf("%s is not a readable output file: %w", rel, err)
		}
		got[rel] = h
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func assertSame(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	var diffs []string
	for k, v := range want {
		if got[k] != v {
			diffs = append(diffs, k)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			diffs = append(diffs, k+" (unexpected)")
		}
	}
	sort.Strings(diffs)
	if len(diffs) > 0 {
		t.Errorf("%s: outputs differ: %v", what, diffs)
	}
}

// addRequests adds a new request file to the demo copy: the "set B" inputs.
func addRequests(t *testing.T, cfg string) {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	dir := filepath.Join(filepath.Dir(cfg), "data", "requests", "web_form", "dt=2026-11-21")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// The new file has every column of the source's other files (NULL
	// where it has no value): each file must carry the source's columns;
	// not the dt of their folders, which is no column of theirs.
	q := fmt.Sprintf(`COPY (
		SELECT * FROM (SELECT * FROM read_parquet('%s', hive_partitioning = false) LIMIT 0)
		UNION ALL BY NAME
		FROM (SELECT 'WF-NEW-' || customer_id AS request_id, TIMESTAMP '2026-11-21 18:00:00' AS received_at,
			'opt_out' AS request_type, 'verified' AS status, email FROM read_parquet('%s') c WHERE email IS NOT NULL
			ORDER BY customer_id LIMIT 20)) -- ordered: the same 20 people in every copy
		TO '%s' (FORMAT parquet)`, filepath.Join(filepath.Dir(cfg), "data", "requests", "web_form", "dt=2026-01-01", "data_0.parquet"),
		filepath.Join(filepath.Dir(cfg), "data", "customers", "customers.parquet"), filepath.Join(dir, "extra.parquet"))
	if _, err := db.Exec(q); err != nil {
		t.Fatal(err)
	}
}

func TestKillAnywhereLeavesOutputsIntact(t *testing.T) {
	// The outputs after a clean run on set B, for comparison.
	cfgB, outB := demoCopy(t)
	addRequests(t, cfgB)
	if r := runOptout(t, nil, args(cfgB)...); r.code != 0 {
		t.Fatalf("clean run B: %d\n%s", r.code, r.stderr)
	}
	wantB := digest(t, outB)

	for _, point := range []string{"locked", "step:request_rows__web_form", "step:customers_flagged", "step:requests_ledger", "staged", "journal", "publish_first", "published"} {
		t.Run(point, func(t *testing.T) {
			cfg, out := demoCopy(t)
			if r := runOptout(t, nil, args(cfg)...); r.code != 0 {
				t.Fatalf("run A: %d\n%s", r.code, r.stderr)
			}
			before := digest(t, out)
			addRequests(t, cfg)
			r := runOptout(t, []string{"OPTOUT_TEST_KILL_AT=" + point}, args(cfg)...)
			if !r.signaled {
				t.Fatalf("the run was not killed at %s (exit %d)\n%s", point, r.code, r.stderr)
			}
			after := digest(t, out) // fails on any partial or unreadable file
			committed := point == "journal" || point == "publish_first" || point == "published"
			if !committed {
				assertSame(t, "after a kill before the publish journal", after, before)
			}
			// The next run on the output finishes or discards the killed
			// run's publish, then does its own: the result is set B's.
			r = runOptout(t, nil, args(cfg)...)
			if r.code != 0 {
				t.Fatalf("run after kill: %d\n%s", r.code, r.stderr)
			}
			if committed != strings.Contains(r.stderr, "finished the publish of an interrupted run") {
				t.Errorf("roll-forward logged = %v, want %v", !committed, committed)
			}
			assertSame(t, "after the next run", digest(t, out), wantB)
			if _, err := os.Stat(filepath.Join(out, "_optout", "staging")); err == nil {
				if entries, _ := os.ReadDir(filepath.Join(out, "_optout", "staging")); len(entries) > 0 {
					t.Errorf("staging left behind: %v", entries)
				}
			}
		})
	}
}

// startHeld starts optout run on cfg, holding at test point point, and
// returns once it holds there (it is killed when the test ends); its
// stdout and stderr fill the buffers.
func startHeld(t *testing.T, cfg, point string) (cmd *exec.Cmd, stdout *bytes.Buffer, stderr *syncBuffer) {
	t.Helper()
	cmd = exec.Command(binary, args(cfg)...)
	cmd.Env = append(os.Environ(), "OPTOUT_TEST_HOLD_AT="+point)
	stdout, stderr = &bytes.Buffer{}, &syncBuffer{}
	cmd.Stdout = stdout
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	reached := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			stderr.WriteString(sc.Text() + "\n")
			if strings.Contains(sc.Text(), "optout-test: holding at") {
				reached <- true
			}
		}
		close(reached)
	}()
	select {
	case ok := <-reached:
		if !ok {
			t.Fatalf("the run ended before holding at %s\n%s", point, stderr.String())
		}
	case <-time.After(2 * time.Minute):
		t.Fatalf("the run never reached %s", point)
	}
	return cmd, stdout, stderr
}

// syncBuffer is a strings.Builder a goroutine writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *syncBuffer) WriteString(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.b.WriteString(s)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func TestSecondRunWhileOneRunsExits4(t *testing.T) {
	cfg, _ := demoCopy(t)
	first, _, _ := startHeld(t, cfg, "step:customers_flagged")
	r := runOptout(t, nil, args(cfg)...)
	if r.code != 4 || !strings.Contains(r.stderr, "another optout run") {
		t.Fatalf("second run: exit %d, want 4\n%s", r.code, r.stderr)
	}
	// Once the first dies, the lock is free again.
	_ = first.Process.Kill()
	_ = first.Wait()
	if r := runOptout(t, nil, args(cfg)...); r.code != 0 {
		t.Fatalf("run after the holder died: exit %d\n%s", r.code, r.stderr)
	}
}

// With duckdb.database set, a second run meets DuckDB's lock on the
// database file before the output's lock: it exited 1, "Could not set
// lock", a failure the Airflow example does not tell from a crash. Any
// process holding the file open (here the test's own) is another writer.
func TestSecondWriterOfTheDuckDBDatabaseExits4(t *testing.T) {
	cfg, _ := demoCopy(t)
	y, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, append(y, []byte("duckdb: {database: work.duckdb}\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", filepath.Join(filepath.Dir(cfg), "work.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE TABLE held (i INTEGER)"); err != nil {
		t.Fatal(err)
	}
	r := runOptout(t, nil, args(cfg)...)
	if r.code != 4 || !strings.Contains(r.stderr, "is open in another process") {
		t.Fatalf("run while another process has the database open: exit %d, want 4\n%s", r.code, r.stderr)
	}
	db.Close()
	if r := runOptout(t, nil, args(cfg)...); r.code != 0 {
		t.Fatalf("run once the database is free: exit %d\n%s", r.code, r.stderr)
	}
}

// A run stopped by SIGTERM (a scheduler's timeout) fails with exit 1,
// whatever step it was in, and leaves its runs row. Stopped while reading
// its inputs, it exited 3 ("input validation failed", which the Airflow
// example does not retry) and, its context cancelled, wrote no runs row.
func TestStoppedRunExits1AndLeavesItsRunsRow(t *testing.T) {
	for _, step := range []string{"request_rows__web_form", "customers_flagged"} {
		t.Run(step, func(t *testing.T) {
			cfg, out := demoCopy(t)
			cmd, so, se := startHeld(t, cfg, "step:"+step)
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			err := cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 1 {
				t.Fatalf("stopped run: %v, want exit 1\n%s", err, se.String())
			}
			if !strings.Contains(so.String(), `"exit_code":1`) {
				t.Errorf("summary: %s", so.String())
			}
			db, err := sql.Open("duckdb", "")
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var status string
			var code int
			if err := db.QueryRow(fmt.Sprintf(`SELECT status, exit_code FROM read_parquet('%s/runs/*.parquet')`, out)).Scan(&status, &code); err != nil {
				t.Fatalf("the stopped run's runs row: %v\n%s", err, se.String())
			}
			if status != "failed" || code != 1 {
				t.Errorf("runs row: %s, exit %d; want failed, exit 1", status, code)
			}
			if _, err := os.Stat(filepath.Join(out, "customers_flagged")); err == nil {
				t.Error("the stopped run published outputs")
			}
		})
	}
}

func TestRerunGivesSameRows(t *testing.T) {
	cfg, out := demoCopy(t)
	if r := runOptout(t, nil, args(cfg)...); r.code != 0 {
		t.Fatalf("first: %d\n%s", r.code, r.stderr)
	}
	first := digest(t, out)
	if len(first) < 10 {
		t.Fatalf("only %d output files", len(first))
	}
	if r := runOptout(t, nil, args(cfg)...); r.code != 0 {
		t.Fatalf("second: %d\n%s", r.code, r.stderr)
	}
	assertSame(t, "rerun of the same date", digest(t, out), first)
	runs, _ := os.ReadDir(filepath.Join(out, "runs"))
	if len(runs) != 2 {
		t.Errorf("runs has %d rows, want 2", len(runs))
	}
}

// A rerun of D after later dates, with D's own --now, writes D's files as
// its first run did (SPEC §2: nothing later changes an output for D). The
// requests_ledger is the one record of every request and follows the
// latest date, so it is left out.
func TestRerunAfterLaterDatesGivesSameRows(t *testing.T) {
	cfg, out := demoCopy(t)
	night := func(dt, now string) { t.Helper(); nightly(t, cfg, dt, now) }
	ofDate := func(all map[string]string) map[string]string {
		got := map[string]string{}
		for f, h := range all {
			if strings.Contains(f, "dt=2026-11-19") && !strings.HasPrefix(f, "requests_ledger") {
				got[f] = h
			}
		}
		return got
	}
	night("2026-11-19", "2026-11-20T11:00:00Z")
	first := ofDate(digest(t, out))
	if len(first) < 10 {
		t.Fatalf("only %d output files of 2026-11-19", len(first))
	}
	night("2026-11-20", "2026-11-21T11:00:00Z")
	night("2026-11-21", "2026-11-22T11:00:00Z")
	night("2026-11-19", "2026-11-22T12:00:00Z") // a rerun's now is after every run's before it
	assertSame(t, "rerun of 2026-11-19 after 2026-11-21", ofDate(digest(t, out)), first)
}

// A rerun of a date whose earlier states snapshot retention has removed
// gives the feed its first run gave, not every opted-out customer as newly
// opted out (which a CRM sync would act on again).
func TestRerunAfterSnapshotRetentionGivesSameFeed(t *testing.T) {
	cfg, out := demoCopy(t)
	night := func(dt, now string) { t.Helper(); nightly(t, cfg, dt, now) }
	feed := func() map[string]string {
		got := map[string]string{}
		for f, h := range digest(t, out) {
			if strings.HasPrefix(f, "flag_changes/dt=2026-11-11") {
				got[f] = h
			}
		}
		return got
	}
	night("2026-11-10", "2026-11-11T11:00:00Z")
	night("2026-11-11", "2026-11-12T11:00:00Z")
	first := feed()
	duck, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer duck.Close()
	var changes, optedOut int
	if err := duck.QueryRow(fmt.Sprintf(`SELECT (SELECT count(*) FROM read_parquet('%[1]s/flag_changes/dt=2026-11-11/*.parquet')),
		(SELECT count(*) FROM read_parquet('%[1]s/optout_state/dt=2026-11-11/*.parquet') WHERE ccpa_opt_out)`, out)).Scan(&changes, &optedOut); err != nil {
		t.Fatal(err)
	}
	if changes == 0 || changes >= optedOut {
		t.Fatalf("the feed of 2026-11-11 has %d rows for %d opted-out customers: the test needs a day's changes, fewer than those", changes, optedOut)
	}
	night("2026-11-21", "2026-11-22T11:00:00Z") // snapshot retention: the states of the 10th and 11th go
	if _, err := os.Stat(filepath.Join(out, "optout_state", "dt=2026-11-10")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the state of 2026-11-10 is still there (%v): the test needs it removed", err)
	}
	night("2026-11-11", "2026-11-22T12:00:00Z")
	assertSame(t, "feed of 2026-11-11 rerun after retention", feed(), first)
}

// Retention removes each date folder at once: killed between moving one
// out and deleting it, the run leaves no date half removed where readers
// look, and the next run finishes the removal.
func TestKillDuringRetentionLeavesNoHalfRemovedDate(t *testing.T) {
	cfg, out := demoCopy(t)
	night := func(env []string, dt, now string) result {
		t.Helper()
		return runOptout(t, env, "run", "--date", dt, "--now", now, "--config", cfg)
	}
	if r := night(nil, "2026-11-10", "2026-11-11T11:00:00Z"); r.code != 0 {
		t.Fatalf("run of 2026-11-10: exit %d\n%s", r.code, r.stderr)
	}
	if r := night([]string{"OPTOUT_TEST_KILL_AT=retention_moved"}, "2026-11-21", "2026-11-22T11:00:00Z"); !r.signaled {
		t.Fatalf("the run of 2026-11-21 was not killed while retention removed the 10th's snapshots: exit %d\n%s", r.code, r.stderr)
	}
	moved, _ := filepath.Glob(filepath.Join(out, "_optout", "trash", "retention-*", "dt=2026-11-10"))
	if len(moved) != 1 {
		t.Fatalf("%d date folders moved out at the kill, want 1", len(moved))
	}
	halfRemoved := func() []string {
		var bad []string
		for _, table := range []string{"customers_flagged", "optout_state"} {
			dir := filepath.Join(out, table, "dt=2026-11-10")
			if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if parts, _ := filepath.Glob(filepath.Join(dir, "part-*")); len(parts) == 0 {
				bad = append(bad, dir)
			}
		}
		return bad
	}
	if bad := halfRemoved(); len(bad) > 0 {
		t.Fatalf("date folders left half removed: %v", bad)
	}
	if r := night(nil, "2026-11-21", "2026-11-22T11:00:00Z"); r.code != 0 {
		t.Fatalf("the next run of 2026-11-21: exit %d\n%s", r.code, r.stderr)
	}
	for _, table := range []string{"customers_flagged", "optout_state"} {
		if _, err := os.Stat(filepath.Join(out, table, "dt=2026-11-10")); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s of 2026-11-10 is still there after the next run (%v)", table, err)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(out, "_optout", "trash", "retention-*")); len(left) > 0 {
		t.Errorf("the next run left the killed removal's trash: %v", left)
	}
}

// A run killed after its publish leaves its runs row `published`: its
// outputs are out, the ledger with its retention applied among them. A
// later command must read that date as run: a rerun of an earlier date
// counted the ledger's retention back from its own date, so a request the
// killed run's retention had removed came back into the ledger, first
// enforced by the rerun (and the write-back guard let an earlier date's
// flags overwrite newer ones: TestWriteBackLeavesALaterDatesFlags).
func TestRunKilledAfterPublishCountsAsRun(t *testing.T) {
	cfg, out := demoCopy(t)
	// An opt-out received 2024-11-25, inside a 24-month retention as of
	// 2026-11-21 and outside it as of 2026-12-01; no freshness, so that a
	// run days after the demo's last request goes ahead.
	dir := filepath.Dir(cfg)
	duck, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer duck.Close()
	if _, err := duck.Exec(fmt.Sprintf(`COPY (SELECT 'old-1' AS request_id, TIMESTAMP '2024-11-25 12:00:00' AS received_at,
		'opt_out' AS request_type, 'old.person@example.com' AS email) TO '%s' (FORMAT parquet)`, filepath.Join(dir, "data", "requests", "old.parquet"))); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	conf := strings.Replace(string(b), ", freshness: 48h", "", 1)
	conf = strings.Replace(conf, "    - {name: gpc,", "    - {name: old, path: data/requests/old.parquet}\n    - {name: gpc,", 1)
	conf = strings.Replace(conf, "policy:\n", "policy:\n  retention_months: 24\n", 1)
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	ledgerRows := func() []string {
		t.Helper()
		var got []string
		rows, err := duck.Query(fmt.Sprintf(`SELECT strftime(first_enforced_at AT TIME ZONE 'UTC', '%%Y-%%m-%%dT%%H:%%M')
			FROM read_parquet('%s/requests_ledger/*.parquet') WHERE request_id = 'old-1'`, out))
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			got = append(got, s)
		}
		return got
	}
	nightly(t, cfg, "2026-11-21", "2026-11-22T11:00:00Z")
	if got := ledgerRows(); len(got) != 1 || got[0] != "2026-11-22T11:00" {
		t.Fatalf("old-1 in the ledger after the run of 2026-11-21: %v, want first enforced 2026-11-22T11:00", got)
	}
	if r := runOptout(t, []string{"OPTOUT_TEST_KILL_AT=written_back"}, "run", "--date", "2026-12-01", "--now", "2026-12-02T11:00:00Z", "--config", cfg); !r.signaled {
		t.Fatalf("the run of 2026-12-01 was not killed after its publish: exit %d\n%s", r.code, r.stderr)
	}
	var status string
	if err := duck.QueryRow(fmt.Sprintf(`SELECT string_agg(status, ',') FROM read_parquet('%s/runs/*.parquet', union_by_name = true) WHERE dt = DATE '2026-12-01'`, out)).Scan(&status); err != nil {
		t.Fatal(err)
	}
	if status != "published" {
		t.Fatalf("the killed run's runs rows: %q, want one left published", status)
	}
	// Its outputs are 2026-12-01's: the dashboard shows them, naming it.
	var killedID string
	if err := duck.QueryRow(fmt.Sprintf(`SELECT run_id FROM read_parquet('%s/runs/*.parquet', union_by_name = true) WHERE dt = DATE '2026-12-01'`, out)).Scan(&killedID); err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(t.TempDir(), "dashboard.html")
	if r := runOptout(t, nil, "report", "--date", "2026-12-01", "--out", page, "--config", cfg); r.code != 0 {
		t.Errorf("report of 2026-12-01, whose run published and was killed: exit %d\n%s", r.code, r.stderr)
	} else if b, err := os.ReadFile(page); err != nil || !strings.Contains(string(b), `id="run-id">`+killedID+"<") {
		t.Errorf("the dashboard of 2026-12-01 does not name run %s, which published it (%v)", killedID, err)
	}
	if got := ledgerRows(); len(got) != 0 {
		t.Fatalf("the killed run's published ledger still holds old-1 (%v): its retention should have removed it", got)
	}
	nightly(t, cfg, "2026-11-21", "2026-12-03T11:00:00Z")
	if got := ledgerRows(); len(got) != 0 {
		t.Errorf("the rerun of 2026-11-21 took old-1 back into the ledger, first enforced %v; the killed run's retention had removed it", got)
	}
}

// A notification stays when its date is run again (11 CCR §7026(f)(2)):
// a person in D's export turns out to have opted out on D (a request that
// arrived late); the next run of D filters the export and lists the note
// (the export left before the opt-out was enforced); a third run of D
// reads the filtered export, no longer holding the person, and must still
// list it.
func TestRerunKeepsThirdPartyNotifications(t *testing.T) {
	cfg, out := demoCopy(t)
	runAt := func(now string) {
		t.Helper()
		if r := runOptout(t, nil, "run", "--date", "2026-11-21", "--now", now, "--config", cfg); r.code != 0 {
			t.Fatalf("run at %s: exit %d\n%s", now, r.code, r.stderr)
		}
	}
	runAt("2026-11-22T09:00:00Z")
	duck, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer duck.Close()
	// A person the published ad audience holds opts out, received on D.
	dir := filepath.Dir(cfg)
	var email string
	q := fmt.Sprintf("SELECT min(email) FROM read_parquet('%s/exports/google_ads_audience/dt=2026-11-21/*.parquet') WHERE email LIKE '%%@%%'", out)
	if err := duck.QueryRow(q).Scan(&email); err != nil {
		t.Fatal(err)
	}
	add := fmt.Sprintf(`COPY (SELECT * REPLACE ('late-1' AS request_id, TIMESTAMP '2026-11-21 21:00:00' AS received_at, TIMESTAMP '2026-11-21 21:00:00' AS updated_at,
			'opt_out' AS request_type, NULL::VARCHAR[] AS categories, 'verified' AS status, %s AS email, NULL::VARCHAR AS phone)
		FROM read_parquet('%s/data/requests/web_form/dt=2026-11-01/data_0.parquet', hive_partitioning = false) LIMIT 1)
		TO '%s/data/requests/web_form/dt=2026-11-01/late.parquet' (FORMAT parquet)`, "'"+email+"'", dir, dir)
	if _, err := duck.Exec(add); err != nil {
		t.Fatal(err)
	}
	notes := func() int {
		t.Helper()
		var n int
		q := fmt.Sprintf("SELECT count(*) FROM read_parquet('%s/third_party_notifications/dt=2026-11-21/*.parquet') WHERE request_id = 'late-1' AND export = 'google_ads_audience'", out)
		if err := duck.QueryRow(q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	runAt("2026-11-22T10:00:00Z")
	if n := notes(); n != 1 {
		t.Fatalf("after the opt-out's first run: %d notes for it, want 1", n)
	}
	runAt("2026-11-22T11:00:00Z")
	if n := notes(); n != 1 {
		t.Errorf("after a rerun: %d notes for it, want the 1 the first run published", n)
	}
}

// The requests_ledger follows the latest date: a rerun of an earlier date
// keeps the requests a later date's run recorded, the pending ones too
// (apply_pending: false holds them back without counting them).
func TestRerunOfAnEarlierDateKeepsTheLedgersPendingRequests(t *testing.T) {
	cfg, out := demoCopy(t)
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte(strings.Replace(string(b), "apply_pending: true", "apply_pending: false", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	night := func(dt, now string) { t.Helper(); nightly(t, cfg, dt, now) }
	duck, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer duck.Close()
	ledger := func() (ids string, pending int) {
		t.Helper()
		q := fmt.Sprintf(`SELECT md5(string_agg(request_id, ',' ORDER BY request_id)), count(*) FILTER (WHERE first_enforced_at IS NULL)
			FROM read_parquet('%s/requests_ledger/*.parquet')`, out)
		if err := duck.QueryRow(q).Scan(&ids, &pending); err != nil {
			t.Fatal(err)
		}
		return ids, pending
	}
	night("2026-11-19", "2026-11-20T11:00:00Z")
	night("2026-11-21", "2026-11-22T11:00:00Z")
	want, pending := ledger()
	if pending == 0 {
		t.Fatal("the ledger of 2026-11-21 holds no pending request: the test needs one")
	}
	night("2026-11-19", "2026-11-22T12:00:00Z")
	if got, n := ledger(); got != want || n != pending {
		t.Errorf("after the rerun of 2026-11-19 the ledger's requests differ from 2026-11-21's (pending %d, want %d)", n, pending)
	}
}

// A request log file removed after a run counted its requests would end
// those opt-outs with exit 0: a person's state is derived from the log on
// every run. The next run fails closed instead, publishing nothing for its
// date; a correction row (status rejected) for each request is the way to
// withdraw requests on purpose.
func TestRemovedRequestFileFailsClosed(t *testing.T) {
	cfg, out := demoCopy(t)
	// The demo's web form has 3 unusable rows of 313, just under the
	// default max_quarantine_ratio: without the file the share would be over.
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	conf := strings.Replace(string(b), "apply_pending: true", "apply_pending: true\n  max_quarantine_ratio: 0.05", 1)
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	night := func(dt, now string) result {
		t.Helper()
		return runOptout(t, nil, "run", "--date", dt, "--now", now, "--config", cfg)
	}
	if r := night("2026-11-20", "2026-11-21T11:00:00Z"); r.code != 0 {
		t.Fatalf("run of 2026-11-20: exit %d\n%s", r.code, r.stderr)
	}
	webForm := filepath.Join(filepath.Dir(cfg), "data", "requests", "web_form")
	march := filepath.Join(webForm, "dt=2026-03-01", "data_0.parquet")
	kept := filepath.Join(t.TempDir(), "march.parquet")
	if err := os.Rename(march, kept); err != nil {
		t.Fatal(err)
	}
	duck, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer duck.Close()

	// counted is how many of the removed file's requests of type the
	// ledger counts; the test needs some of each type.
	counted := func(requestType string) int {
		t.Helper()
		var n int
		if err := duck.QueryRow(fmt.Sprintf(`SELECT count(*) FROM read_parquet('%s/requests_ledger/*.parquet') l
			JOIN read_parquet('%s') m USING (request_id) WHERE l.first_enforced_at IS NOT NULL AND l.request_type = ?`, out, kept), requestType).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Fatalf("the ledger counts none of the removed file's %s requests: the test needs some", requestType)
		}
		return n
	}

	// Counted opt_ins gone can only leave people more opted out: no stop.
	optIns := counted("opt_in")
	if _, err := duck.Exec(fmt.Sprintf(`COPY (SELECT * FROM read_parquet('%s', hive_partitioning = false) WHERE request_type IS DISTINCT FROM 'opt_in')
		TO '%s' (FORMAT parquet)`, kept, march)); err != nil {
		t.Fatal(err)
	}
	if r := night("2026-11-20", "2026-11-21T11:00:00Z"); r.code != 0 {
		t.Fatalf("with %d counted opt_ins removed: exit %d, want 0\n%s", optIns, r.code, r.stderr)
	}
	if err := os.Remove(march); err != nil {
		t.Fatal(err)
	}
	optOuts := counted("opt_out")

	r := night("2026-11-21", "2026-11-22T11:00:00Z")
	if r.code != 3 || !strings.Contains(r.stderr, fmt.Sprintf("%d opt-out requests that earlier runs counted", optOuts)) {
		t.Fatalf("with a counted request's file removed: exit %d, want 3 naming %d requests\n%s", r.code, optOuts, r.stderr)
	}
	if published, _ := filepath.Glob(filepath.Join(out, "exports", "*", "dt=2026-11-21")); len(published) > 0 {
		t.Fatalf("the failed run published %v", published)
	}

	// The requests withdrawn on purpose: a rejected row for each, dated
	// after them, in a file of its own.
	fix := filepath.Join(webForm, "dt=2026-11-21", "corrections.parquet")
	if err := os.MkdirAll(filepath.Dir(fix), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := duck.Exec(fmt.Sprintf(`COPY (SELECT * REPLACE ('rejected' AS status, TIMESTAMP '2026-11-21 08:00:00' AS updated_at)
		FROM read_parquet('%s', hive_partitioning = false)) TO '%s' (FORMAT parquet)`, kept, fix)); err != nil {
		t.Fatal(err)
	}
	if r := night("2026-11-21", "2026-11-22T11:00:00Z"); r.code != 0 {
		t.Fatalf("with the removed requests rejected by correction rows: exit %d\n%s", r.code, r.stderr)
	}
}

// An opt-out an earlier run enforced ends only by a correction row that
// rejects it (docs/decisions.md, "An enforced opt-out stays counted"):
// turning policy.apply_pending off made the demo's enforced pending
// opt-outs stop counting, and their people went out in the next exports
// with exit 0 (an audit). The run now stops (exit 3), naming them and the
// setting, and publishes nothing; with the setting back on it passes.
func TestApplyPendingOffKeepsEnforcedOptOuts(t *testing.T) {
	cfg, out := demoCopy(t)
	night := func(dt, now string) result {
		t.Helper()
		return runOptout(t, nil, "run", "--date", dt, "--now", now, "--config", cfg)
	}
	if r := night("2026-11-20", "2026-11-21T11:00:00Z"); r.code != 0 {
		t.Fatalf("run of 2026-11-20: exit %d\n%s", r.code, r.stderr)
	}
	duck, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer duck.Close()
	var pending int
	if err := duck.QueryRow(fmt.Sprintf(`SELECT count(*) FROM read_parquet('%s/requests_ledger/*.parquet')
		WHERE first_enforced_at IS NOT NULL AND request_type = 'opt_out' AND status = 'pending'`, out)).Scan(&pending); err != nil {
		t.Fatal(err)
	}
	if pending == 0 {
		t.Fatal("the demo's ledger has no enforced pending opt-out: the test needs some")
	}
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	setPending := func(on bool) {
		t.Helper()
		conf := strings.Replace(string(b), "apply_pending: true", fmt.Sprintf("apply_pending: %v", on), 1)
		if conf == string(b) && !on {
			t.Fatal("the demo's config does not set apply_pending: true")
		}
		if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	setPending(false)
	r := night("2026-11-21", "2026-11-22T11:00:00Z")
	if r.code != 3 || !strings.Contains(r.stderr, fmt.Sprintf("%d opt-out requests that earlier runs enforced", pending)) || !strings.Contains(r.stderr, "policy.apply_pending") {
		t.Fatalf("apply_pending turned off: exit %d, want 3 naming %d requests and the setting\n%s", r.code, pending, r.stderr)
	}
	if published, _ := filepath.Glob(filepath.Join(out, "exports", "*", "dt=2026-11-21")); len(published) > 0 {
		t.Fatalf("the failed run published %v", published)
	}
	setPending(true)
	if r := night("2026-11-21", "2026-11-22T11:00:00Z"); r.code != 0 {
		t.Fatalf("apply_pending back on: exit %d\n%s", r.code, r.stderr)
	}
}

func TestLogsNeverShowRawIdentifiers(t *testing.T) {
	cfg, out := demoCopy(t)
	r := runOptout(t, nil, append(args(cfg), "--log-level", "debug")...)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	// A failing run whose error quotes a data value: duplicate customer ids
	// that are email addresses and phone numbers.
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// The file has every column of the demo's customers, so that the run
	// gets past the schema checks to the duplicate check, which quotes one.
	customers := filepath.Join(filepath.Dir(cfg), "data", "customers")
	dup := filepath.Join(customers, "dups.parquet")
	if _, err := db.Exec(fmt.Sprintf(`COPY (SELECT c.* REPLACE (d.id AS customer_id)
		FROM (FROM read_parquet('%s/*.parquet') LIMIT 1) c,
		  (VALUES ('Leak.Me@Example.com'), ('Leak.Me@Example.com'), ('+1 (415) 555-0199'), ('+1 (415) 555-0199')) d(id)) TO '%s' (FORMAT parquet)`, customers, dup)); err != nil {
		t.Fatal(err)
	}
	r2 := runOptout(t, nil, append(args(cfg), "--log-level", "debug", "--log-format", "json")...)
	if r2.code != 3 || !strings.Contains(r2.stderr, "appear on more than one row") {
		t.Fatalf("duplicate ids: exit %d, want 3 for ids on more than one row\n%s", r2.code, r2.stderr)
	}
	logs := r.stdout + r.stderr + r2.stdout + r2.stderr
	// Every email and phone of every input.
	rows, err := db.Query(fmt.Sprintf(`
		SELECT DISTINCT v FROM (
		  SELECT unnest([email, phone]) AS v FROM read_parquet('%[1]s/data/customers/*.parquet', union_by_name = true)
		  UNION ALL SELECT unnest([email, phone]) FROM read_parquet('%[1]s/data/requests/web_form/**/*.parquet')
		  UNION ALL SELECT email FROM read_parquet('%[1]s/data/identity_links.parquet')
		  UNION ALL SELECT customer_id FROM read_parquet('%[1]s/data/customers/dups.parquet')
		) WHERE v IS NOT NULL AND length(trim(v)) > 4`, filepath.Dir(cfg)))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		n++
		for _, form := range []string{strings.TrimSpace(v), strings.ToLower(strings.TrimSpace(v))} {
			if strings.Contains(logs, form) {
				t.Errorf("logs contain an identifier value (%d characters)", len(form))
			}
		}
	}
	if n < 1000 {
		t.Fatalf("checked only %d identifier values", n)
	}
	// JSON logs are JSON, and the last stdout line is the JSON summary.
	for _, line := range strings.Split(strings.TrimSpace(r2.stderr), "\n") {
		if !json.Valid([]byte(line)) {
			t.Errorf("not a JSON log line: %.80s", line)
		}
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	var sum struct {
		Status    string `json:"status"`
		Customers int64  `json:"customers"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &sum); err != nil || sum.Status != "succeeded" || sum.Customers != 3000 {
		t.Errorf("summary line %q: %+v %v", lines[len(lines)-1], sum, err)
	}
	_ = out
}

func TestBackfillEqualsDatesRunOneByOne(t *testing.T) {
	noFreshness := func(cfg string) {
		b, _ := os.ReadFile(cfg)
		if err := os.WriteFile(cfg, []byte(strings.Replace(string(b), ", freshness: 48h", "", 1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	now := "--now=2026-11-22T09:00:00Z"
	cfgA, outA := demoCopy(t)
	noFreshness(cfgA)
	r := runOptout(t, nil, "backfill", "--config", cfgA, "--from", "2026-11-19", "--to", "2026-11-21", now)
	if r.code != 0 || !strings.Contains(r.stdout, `"done":["2026-11-19","2026-11-20","2026-11-21"]`) {
		t.Fatalf("backfill: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	cfgB, outB := demoCopy(t)
	noFreshness(cfgB)
	for _, d := range []string{"2026-11-19", "2026-11-20", "2026-11-21"} {
		if r := runOptout(t, nil, "run", "--config", cfgB, "--date", d, now); r.code != 0 {
			t.Fatalf("run %s: exit %d\n%s", d, r.code, r.stderr)
		}
	}
	assertSame(t, "backfill against runs one by one", digest(t, outA), digest(t, outB))
	// The catalog, refreshed once after the last date, covers every date.
	// Its views read paths relative to the output folder.
	db, err := sql.Open("duckdb", filepath.Join(outA, "optout.duckdb")+"?access_mode=read_only&file_search_path="+url.QueryEscape(outA))
	if err != nil {
		t.Fatal(err)
	}
	var dates int
	err = db.QueryRow("SELECT count(DISTINCT dt) FROM optout.customers_flagged").Scan(&dates)
	db.Close()
	if err != nil || dates != 3 {
		t.Errorf("the catalog after the backfill: %d dates of customers_flagged, %v; want 3", dates, err)
	}

	// Dates already run are skipped; --force reruns them.
	r = runOptout(t, nil, "backfill", "--config", cfgA, "--from", "2026-11-19", "--to", "2026-11-21", now)
	if r.code != 0 || !strings.Contains(r.stdout, `"done":[],"skipped":["2026-11-19","2026-11-20","2026-11-21"]`) {
		t.Errorf("second backfill: exit %d\n%s", r.code, r.stdout)
	}
	r = runOptout(t, nil, "backfill", "--config", cfgA, "--from", "2026-11-21", "--to", "2026-11-21", "--force", now)
	if r.code != 0 || !strings.Contains(r.stdout, `"done":["2026-11-21"]`) {
		t.Errorf("forced backfill: exit %d\n%s", r.code, r.stdout)
	}
	if runs, _ := os.ReadDir(filepath.Join(outA, "runs")); len(runs) != 4 {
		t.Errorf("%d runs rows, want 4", len(runs))
	}

	// The first failing date stops the backfill with its exit code.
	cfgC, _ := demoCopy(t)
	r = runOptout(t, nil, "backfill", "--config", cfgC, "--from", "2026-12-01", "--to", "2026-12-02", "--now=2026-12-03T09:00:00Z")
	if r.code != 1 || !strings.Contains(r.stdout, `"failed":"2026-12-01"`) || !strings.Contains(r.stdout, `"done":[]`) || !strings.Contains(r.stderr, "input web_form is stale") {
		t.Errorf("failing backfill: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

// warehouseCopy is demoCopy on a DuckDB warehouse file: customers (with
// write-back), the preference center and the identity links are tables.
func warehouseCopy(t *testing.T) (cfg, out, db string) {
	t.Helper()
	cfg, out = demoCopy(t)
	dir := filepath.Dir(cfg)
	db = filepath.Join(dir, "warehouse.duckdb")
	script, err := os.ReadFile("../../testdata/demo/warehouse/warehouse.sql")
	if err != nil {
		t.Fatal(err)
	}
	wh, err := sql.Open("duckdb", db)
	if err != nil {
		t.Fatal(err)
	}
	// The script's paths are relative to the demo folder: make them absolute.
	if _, err := wh.Exec(strings.ReplaceAll(string(script), "'data/", "'"+dir+"/data/")); err != nil {
		t.Fatal(err)
	}
	wh.Close()
	b, _ := os.ReadFile(cfg)
	s := strings.Replace(string(b), "engine: duckdb\n", "engine: duckdb\nduckdb: {database: warehouse.duckdb}\n", 1)
	s = strings.Replace(s, "{name: preference_center, path: data/requests/preference_center.parquet}", "{name: preference_center, table: preference_center}", 1)
	s = strings.Replace(s, "customers: {path: data/customers}", "customers: {table: crm.customers, write_back: true}", 1)
	s = strings.Replace(s, "identity_links: {path: data/identity_links.parquet}", "identity_links: {table: identity_links}", 1)
	if !strings.Contains(s, "write_back: true") || !strings.Contains(s, "table: identity_links") || !strings.Contains(s, "table: preference_center") {
		t.Fatalf("could not turn the demo config into a warehouse one:\n%s", s)
	}
	if err := os.WriteFile(cfg, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg, out, db
}

// flagMismatches opens the warehouse and counts customers whose table
// flags differ from D's customers_flagged, and whether the columns exist.
func flagMismatches(t *testing.T, db, out string) (columns bool, mismatches, optedOut int64) {
	t.Helper()
	wh, err := sql.Open("duckdb", db)
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Close()
	if err := wh.QueryRow(`SELECT count(*) > 0 FROM information_schema.columns WHERE table_schema = 'crm' AND table_name = 'customers' AND column_name = 'ccpa_opt_out'`).Scan(&columns); err != nil {
		t.Fatal(err)
	}
	if !columns {
		return false, 0, 0
	}
	q := fmt.Sprintf(`SELECT count(*) FILTER (WHERE c.ccpa_opt_out IS DISTINCT FROM f.ccpa_opt_out OR c.opt_out_date IS DISTINCT FROM f.opt_out_date
		OR c.opt_out_categories IS DISTINCT FROM f.opt_out_categories), count(*) FILTER (WHERE c.ccpa_opt_out)
		FROM crm.customers c JOIN read_parquet('%s/customers_flagged/dt=2026-11-21/*.parquet') f USING (customer_id)`, out)
	if err := wh.QueryRow(q).Scan(&mismatches, &optedOut); err != nil {
		t.Fatal(err)
	}
	return columns, mismatches, optedOut
}

func TestWriteBackSurvivesAKill(t *testing.T) {
	for _, point := range []string{"published", "write_back_uncommitted"} {
		t.Run(point, func(t *testing.T) {
			cfg, out, db := warehouseCopy(t)
			r := runOptout(t, []string{"OPTOUT_TEST_KILL_AT=" + point}, args(cfg)...)
			if !r.signaled {
				t.Fatalf("not killed at %s: exit %d\n%s", point, r.code, r.stderr)
			}
			// Killed before the write-back committed: the table is as it was.
			if columns, _, _ := flagMismatches(t, db, out); columns {
				t.Error("the flag columns appeared although the write-back never committed")
			}
			if r := runOptout(t, nil, args(cfg)...); r.code != 0 {
				t.Fatalf("rerun: exit %d\n%s", r.code, r.stderr)
			}
			columns, mismatches, optedOut := flagMismatches(t, db, out)
			if !columns || mismatches != 0 || optedOut < 100 {
				t.Errorf("after the rerun: columns %v, %d customers differ from customers_flagged, %d opted out", columns, mismatches, optedOut)
			}
		})
	}
}

// A rerun of an earlier date after D leaves D's flags on the customers
// table: its own are older, and would take back opt-outs enforced since.
// So too when D's run was killed after its write-back, leaving its runs
// row `published`: the rerun read that as no run of D and wrote its older
// flags over D's.
func TestWriteBackLeavesALaterDatesFlags(t *testing.T) {
	t.Run("succeeded", func(t *testing.T) { writeBackLeavesALaterDatesFlags(t, "") })
	t.Run("killed after its write-back", func(t *testing.T) { writeBackLeavesALaterDatesFlags(t, "OPTOUT_TEST_KILL_AT=written_back") })
	// As a retention that fails: the runs row says failed, and the
	// date's outputs are that run's all the same.
	t.Run("failed after its write-back", func(t *testing.T) { writeBackLeavesALaterDatesFlags(t, "OPTOUT_TEST_FAIL_AT=written_back=EACCES") })
}

// writeBackLeavesALaterDatesFlags runs 2026-11-21, ended by test point
// env when it is set, then reruns the earlier 2026-11-15.
func writeBackLeavesALaterDatesFlags(t *testing.T, env string) {
	cfg, out, db := warehouseCopy(t)
	var envs []string
	if env != "" {
		envs = []string{env}
	}
	switch r := runOptout(t, envs, args(cfg)...); {
	case env == "" && r.code != 0:
		t.Fatalf("run of 2026-11-21: exit %d\n%s", r.code, r.stderr)
	case strings.Contains(env, "KILL") && !r.signaled:
		t.Fatalf("the run of 2026-11-21 was not killed after its write-back: exit %d\n%s", r.code, r.stderr)
	case strings.Contains(env, "FAIL") && (r.code == 0 || r.signaled || !strings.Contains(r.stderr, "permission denied")):
		t.Fatalf("the run of 2026-11-21 did not fail after its write-back: exit %d\n%s", r.code, r.stderr)
	}
	_, _, newest := flagMismatches(t, db, out)
	earlier := []string{"run", "--date", "2026-11-15", "--now", "2026-11-22T10:00:00Z", "--config", cfg}
	if r := runOptout(t, nil, earlier...); r.code != 0 {
		t.Fatalf("rerun of 2026-11-15: exit %d\n%s", r.code, r.stderr)
	}
	// The earlier date has fewer opt-outs: had its flags been written, the
	// table would differ from 2026-11-21's.
	duck, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer duck.Close()
	var then int64
	q := fmt.Sprintf("SELECT count(*) FILTER (WHERE ccpa_opt_out) FROM read_parquet('%s/customers_flagged/dt=2026-11-15/*.parquet')", out)
	if err := duck.QueryRow(q).Scan(&then); err != nil || then >= newest {
		t.Fatalf("2026-11-15 has %d opted out against 2026-11-21's %d (%v): the test needs fewer", then, newest, err)
	}
	if _, mismatches, optedOut := flagMismatches(t, db, out); mismatches != 0 || optedOut != newest {
		t.Errorf("after the rerun of 2026-11-15: %d customers differ from 2026-11-21's flags, %d opted out (want %d)", mismatches, optedOut, newest)
	}
}

func TestWarehouseRunIsIdempotentAndCatalogued(t *testing.T) {
	cfg, out, db := warehouseCopy(t)
	for i := 0; i < 2; i++ {
		if r := runOptout(t, nil, args(cfg)...); r.code != 0 {
			t.Fatalf("run %d: exit %d\n%s", i, r.code, r.stderr)
		}
	}
	wh, err := sql.Open("duckdb", db)
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Close()
	rows, err := wh.Query(fmt.Sprintf("SELECT write_back_rows FROM read_parquet('%s/runs/*.parquet') ORDER BY started_at", out))
	if err != nil {
		t.Fatal(err)
	}
	var changed []int64
	for rows.Next() {
		var n int64
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		changed = append(changed, n)
	}
	rows.Close()
	if len(changed) != 2 || changed[0] < 100 || changed[1] != 0 {
		t.Errorf("rows changed by write-back per run: %v, want many then 0", changed)
	}
	// Every output is a view of schema optout in the warehouse, with dt.
	for _, view := range []string{"customers_flagged", "optout_state", "flag_changes", "requests_ledger", "export_report", "quarantine", "runs", "metrics_processing_time", "metrics_sync", "third_party_notifications"} {
		var n int64
		if err := wh.QueryRow("SELECT count(*) FROM optout." + view).Scan(&n); err != nil {
			t.Errorf("catalog view optout.%s: %v", view, err)
		}
	}
	var dt string
	if err := wh.QueryRow("SELECT max(dt)::VARCHAR FROM optout.customers_flagged").Scan(&dt); err != nil || dt != "2026-11-21" {
		t.Errorf("customers_flagged dt = %q, %v", dt, err)
	}
	wh.Close()

	// The output folder moves: the next run points the catalog at it.
	moved := out + "-moved"
	if err := os.Rename(out, moved); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(cfg)
	if err := os.WriteFile(cfg, []byte(strings.Replace(string(b), "output: out", "output: out-moved", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := runOptout(t, nil, args(cfg)...); r.code != 0 {
		t.Fatalf("run after the move: exit %d\n%s", r.code, r.stderr)
	}
	if wh, err = sql.Open("duckdb", db); err != nil {
		t.Fatal(err)
	}
	var runs int64
	if err := wh.QueryRow("SELECT count(*) FROM optout.runs").Scan(&runs); err != nil || runs != 3 {
		t.Errorf("catalog after the move: %d runs, %v", runs, err)
	}
	if _, err := wh.Exec("CREATE TABLE crm.contacts AS SELECT email FROM crm.customers"); err != nil {
		t.Fatal(err)
	}
	wh.Close()

	// A table without a required column is exit 3 naming table and column.
	b, _ = os.ReadFile(cfg)
	if err := os.WriteFile(cfg, []byte(strings.Replace(string(b), "customers: {table: crm.customers, write_back: true}", "customers: {table: crm.contacts}", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := runOptout(t, nil, args(cfg)...); r.code != 3 || !strings.Contains(r.stderr, "input customers: table crm.contacts: column customer_id: required column is missing") {
		t.Errorf("table without customer_id: exit %d\n%s", r.code, r.stderr)
	}

	// A table that is not there is exit 3 naming it.
	b, _ = os.ReadFile(cfg)
	s := strings.Replace(string(b), "customers: {table: crm.contacts}", "customers: {table: crm.customers, write_back: true}", 1)
	if err := os.WriteFile(cfg, []byte(strings.Replace(s, "table: identity_links", "table: crm.links", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := runOptout(t, nil, args(cfg)...); r.code != 3 || !strings.Contains(r.stderr, "input identity_links: table crm.links cannot be read") {
		t.Errorf("missing table: exit %d\n%s", r.code, r.stderr)
	}
}

// With a temp_directory the step tables live in a work database file
// (internal/engine/duckdb, openWork): the outputs stay the same, in file
// and in warehouse mode, and nothing is left in the directory.
func TestRunWithTempDirectoryWritesTheSameOutputs(t *testing.T) {
	withTempDirectory := func(cfg string) string {
		t.Helper()
		b, _ := os.ReadFile(cfg)
		spill := filepath.Join(filepath.Dir(cfg), "spill")
		s := string(b)
		if strings.Contains(s, "duckdb: {database: warehouse.duckdb}") {
			s = strings.Replace(s, "duckdb: {database: warehouse.duckdb}", "duckdb: {database: warehouse.duckdb, memory_limit: 512MB, temp_directory: spill}", 1)
		} else {
			s = strings.Replace(s, "engine: duckdb\n", "engine: duckdb\nduckdb: {memory_limit: 512MB, temp_directory: spill}\n", 1)
		}
		if !strings.Contains(s, "temp_directory: spill") {
			t.Fatalf("could not add a temp_directory to %s", cfg)
		}
		if err := os.WriteFile(cfg, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return spill
	}
	run := func(cfg string) {
		t.Helper()
		if r := runOptout(t, nil, args(cfg)...); r.code != 0 {
			t.Fatalf("run %s: exit %d\n%s", cfg, r.code, r.stderr)
		}
	}
	noWorkFile := func(spill string) {
		t.Helper()
		if left, _ := filepath.Glob(filepath.Join(spill, "optout-work-*")); len(left) != 0 {
			t.Errorf("left in the temp directory: %v", left)
		}
	}

	cfgA, outA := demoCopy(t)
	run(cfgA)
	cfgB, outB := demoCopy(t)
	spill := withTempDirectory(cfgB)
	run(cfgB)
	assertSame(t, "a run with a temp_directory against one without", digest(t, outB), digest(t, outA))
	noWorkFile(spill)

	cfgW, outW, _ := warehouseCopy(t)
	run(cfgW)
	cfgS, outS, dbS := warehouseCopy(t)
	spill = withTempDirectory(cfgS)
	run(cfgS)
	assertSame(t, "a warehouse run with a temp_directory against one without", digest(t, outS), digest(t, outW))
	if columns, mismatches, optedOut := flagMismatches(t, dbS, outS); !columns || mismatches != 0 || optedOut == 0 {
		t.Errorf("warehouse flags after a run with a temp_directory: columns %v, %d mismatches, %d opted out", columns, mismatches, optedOut)
	}
	// The analysts' catalog is created in the warehouse, not in the work file.
	wh, err := sql.Open("duckdb", dbS+"?access_mode=read_only")
	if err != nil {
		t.Fatal(err)
	}
	var customers int64
	err = wh.QueryRow("SELECT count(*) FROM optout.customers_flagged").Scan(&customers)
	wh.Close()
	if err != nil || customers != 3000 {
		t.Errorf("the warehouse catalog after a run with a temp_directory: %d customers, %v; want 3000", customers, err)
	}
	noWorkFile(spill)
}

// A customers table whose flag column has another type than write-back
// writes is refused when the run reads its inputs, by validate too, before
// anything is published. Found at the write-back, after the publish, it
// failed every nightly run (exit 3) with D's outputs already out, and
// validate passed it.
func TestWriteBackFlagColumnTypeIsCheckedFirst(t *testing.T) {
	cfg, out, db := warehouseCopy(t)
	wh, err := sql.Open("duckdb", db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wh.Exec(`ALTER TABLE crm.customers ADD COLUMN opt_out_date TIMESTAMP`); err != nil {
		t.Fatal(err)
	}
	wh.Close()
	for _, cmd := range []string{"validate", "run"} {
		r := runOptout(t, nil, append([]string{cmd}, args(cfg)[1:]...)...)
		if r.code != 3 || !strings.Contains(r.stderr, "column opt_out_date has type TIMESTAMP; write_back writes TIMESTAMP WITH TIME ZONE") {
			t.Errorf("%s: exit %d, want 3 naming the column\n%s", cmd, r.code, r.stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "complete")); !os.IsNotExist(err) {
		t.Errorf("the refused run published (stat of complete/: %v)", err)
	}
}

// A killed run cannot remove its spill folder, which holds rows of the
// inputs and, at 100M customers, gigabytes of them. The next engine to
// use the temp_directory removes it as it starts; an engine starting
// beside a run that is still going leaves that run's folder.
func TestKilledRunsSpillFolderIsRemovedByTheNext(t *testing.T) {
	spill := filepath.Join(t.TempDir(), "spill")
	withSpill := func() string {
		t.Helper()
		cfg, _ := demoCopy(t)
		b, _ := os.ReadFile(cfg)
		s := strings.Replace(string(b), "engine: duckdb\n", "engine: duckdb\nduckdb: {temp_directory: "+spill+"}\n", 1)
		if !strings.Contains(s, "temp_directory: "+spill) {
			t.Fatalf("could not add a temp_directory to %s", cfg)
		}
		if err := os.WriteFile(cfg, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	folders := func() []string {
		t.Helper()
		entries, err := os.ReadDir(spill)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		return names
	}

	cfg := withSpill()
	if r := runOptout(t, []string{"OPTOUT_TEST_KILL_AT=step:customers_flagged"}, args(cfg)...); !r.signaled {
		t.Fatalf("the run was not killed (exit %d)\n%s", r.code, r.stderr)
	}
	killed := folders()
	if len(killed) != 1 {
		t.Fatalf("after the killed run the temp directory holds %v, want its one folder", killed)
	}
	// The next run, held mid-step: it has removed the killed run's folder
	// as it started, and works in one of its own.
	startHeld(t, withSpill(), "step:customers_flagged")
	live := folders()
	if len(live) != 1 || live[0] == killed[0] {
		t.Fatalf("with the next run going the temp directory holds %v, want that run's folder alone (the killed run's %s removed)", live, killed[0])
	}
	// A run beside it leaves the going run's folder, and removes its own.
	if r := runOptout(t, nil, args(cfg)...); r.code != 0 {
		t.Fatalf("the run beside the held one: exit %d\n%s", r.code, r.stderr)
	}
	if left := folders(); !slices.Equal(left, live) {
		t.Errorf("after a run beside the going one the temp directory holds %v, want only the going run's %v", left, live)
	}
}

// A request table with a column of its own named rowid (an Oracle-style
// ROWID) hid DuckDB's row number, which breaks a tie between two rows of
// one request: the rejected row of a tie was taken over the verified one
// after it, and the person was exported with exit 0. Such a table is
// refused, naming the column; the customers' row number decides nothing,
// so their rowid column stays allowed.
func TestTableWithItsOwnRowidColumnIsRefused(t *testing.T) {
	cfg, out, db := warehouseCopy(t)
	wh, err := sql.Open("duckdb", db)
	if err != nil {
		t.Fatal(err)
	}
	_, err = wh.Exec(`ALTER TABLE preference_center ADD COLUMN "ROWID" BIGINT;
		ALTER TABLE crm.customers ADD COLUMN rowid BIGINT`)
	wh.Close()
	if err != nil {
		t.Fatal(err)
	}
	r := runOptout(t, nil, args(cfg)...)
	if r.code != 3 || !strings.Contains(r.stderr, "input preference_center: table preference_center: column ROWID") {
		t.Fatalf("run over a request table with a ROWID column: exit %d, want 3 naming the table and column\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "complete")); err == nil {
		t.Error("the refused run published outputs")
	}
	wh, err = sql.Open("duckdb", db)
	if err != nil {
		t.Fatal(err)
	}
	_, err = wh.Exec(`ALTER TABLE preference_center DROP COLUMN "ROWID"`)
	wh.Close()
	if err != nil {
		t.Fatal(err)
	}
	if r := runOptout(t, nil, args(cfg)...); r.code != 0 {
		t.Errorf("run with a rowid column on the customers alone: exit %d, want 0\n%s", r.code, r.stderr)
	}
}

// A request table whose request_id is declared COLLATE NOCASE: "PC-00367"
// and "pc-00367" are two requests, as in a file (SPEC §2: a request is
// identified by its request_id, which no rule lowercases). DuckDB carried
// the collation into every step, so the two were grouped as one, the
// earlier was lost from the ledger and its categories from the flags.
func TestCollatedRequestIDsStayTwoRequests(t *testing.T) {
	cfg, out, db := warehouseCopy(t)
	wh, err := sql.Open("duckdb", db)
	if err != nil {
		t.Fatal(err)
	}
	_, err = wh.Exec(`ALTER TABLE preference_center ALTER request_id TYPE VARCHAR COLLATE NOCASE;
		INSERT INTO preference_center SELECT * REPLACE (lower(request_id) AS request_id, received_at + INTERVAL 1 DAY AS received_at, ['enrichment'] AS categories)
		FROM preference_center WHERE request_id = 'PC-00367'`)
	wh.Close()
	if err != nil {
		t.Fatal(err)
	}
	if r := runOptout(t, nil, args(cfg)...); r.code != 0 {
		t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
	}
	duck, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer duck.Close()
	var ids, categories string
	if err := duck.QueryRow(`SELECT string_agg(request_id, ' ' ORDER BY request_id) FROM read_parquet('` + filepath.Join(out, "requests_ledger", "*.parquet") + `')
		WHERE lower(request_id) = 'pc-00367'`).Scan(&ids); err != nil {
		t.Fatal(err)
	}
	if ids != "PC-00367 pc-00367" {
		t.Errorf("ledger rows of the two requests: %q, want both", ids)
	}
	if err := duck.QueryRow(`SELECT array_to_string(opt_out_categories, ' ') FROM read_parquet('` + filepath.Join(out, "customers_flagged", "dt=2026-11-21", "*.parquet") + `')
		WHERE customer_id = 'C00072'`).Scan(&categories); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(categories, "advertising") || !strings.Contains(categories, "enrichment") {
		t.Errorf("C00072 opted out of %q, want advertising (PC-00367) and enrichment (pc-00367)", categories)
	}
}

// A run killed after its write-back committed leaves a warehouse the next
// run opens, even when the customers table has a column whose default
// calls a function: DuckDB could not replay the ALTER that added the flag
// columns from its log ("Failure while replaying WAL file"), and every
// later run and validate exited 1 until someone checkpointed by hand.
func TestWriteBackKilledOverAFunctionDefault(t *testing.T) {
	cfg, out, db := warehouseCopy(t)
	wh, err := sql.Open("duckdb", db)
	if err != nil {
		t.Fatal(err)
	}
	_, err = wh.Exec(`CREATE SEQUENCE crm.seq; ALTER TABLE crm.customers ADD COLUMN seq_id BIGINT DEFAULT nextval('crm.seq')`)
	wh.Close()
	if err != nil {
		t.Fatal(err)
	}
	if r := runOptout(t, []string{"OPTOUT_TEST_KILL_AT=written_back"}, args(cfg)...); !r.signaled {
		t.Fatalf("not killed after the write-back: exit %d\n%s", r.code, r.stderr)
	}
	if r := runOptout(t, nil, "run", "--date", "2026-11-22", "--now", "2026-11-23T09:00:00Z", "--config", cfg); r.code != 0 {
		t.Fatalf("the run after the kill: exit %d\n%s", r.code, r.stderr)
	}
	if columns, mismatches, optedOut := flagMismatches(t, db, out); !columns || mismatches != 0 || optedOut < 100 {
		t.Errorf("after the next run: columns %v, %d customers differ from customers_flagged, %d opted out", columns, mismatches, optedOut)
	}
}

// A customers table that another table's foreign key references cannot
// take the write-back (DuckDB updates its rows as a delete and an insert,
// which the key forbids): found at the write-back, the run failed after
// its publish, night after night, and the flags never reached the table.
// It is refused with the inputs, before anything is published; validate
// says so too.
func TestWriteBackToAReferencedTableIsRefusedFirst(t *testing.T) {
	cfg, out, db := warehouseCopy(t)
	wh, err := sql.Open("duckdb", db)
	if err != nil {
		t.Fatal(err)
	}
	// The demo's customers table again, with a primary key (its rows
	// without an id left out), and an orders table referencing it.
	_, err = wh.Exec(`CREATE TABLE crm.customers_keyed AS SELECT * FROM crm.customers WHERE customer_id IS NOT NULL;
		DROP TABLE crm.customers;
		ALTER TABLE crm.customers_keyed RENAME TO customers;
		ALTER TABLE crm.customers ADD PRIMARY KEY (customer_id);
		CREATE TABLE crm.orders (order_id INTEGER, customer_id VARCHAR REFERENCES crm.customers (customer_id));
		INSERT INTO crm.orders SELECT 1, min(customer_id) FROM crm.customers`)
	wh.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"validate", "run"} {
		a := append([]string{cmd}, args(cfg)[1:]...)
		r := runOptout(t, nil, a...)
		if r.code != 3 || !strings.Contains(r.stderr, "referenced by a foreign key of table") || !strings.Contains(r.stderr, "crm.orders") {
			t.Errorf("%s over a customers table a foreign key references: exit %d, want 3 naming the key's table\n%s", cmd, r.code, r.stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "complete")); err == nil {
		t.Error("the refused run published outputs")
	}
}

// Flag columns a customers table already has must take every value the
// write-back writes. A NOT NULL opt_out_date (NULL when not opted out), a
// CHECK on a flag, or a generated flag column passed validate, and the
// write-back failed after every publish, the table never getting its
// flags. Each is refused with the inputs; a NOT NULL ccpa_opt_out, which
// the write-back never leaves NULL, is not.
func TestWriteBackToConstrainedFlagColumnsIsRefusedFirst(t *testing.T) {
	for _, c := range []struct{ name, ddl, want string }{
		{"not null date", `ALTER TABLE crm.customers ADD COLUMN ccpa_opt_out BOOLEAN DEFAULT false;
			ALTER TABLE crm.customers ADD COLUMN opt_out_date TIMESTAMPTZ DEFAULT TIMESTAMPTZ '1970-01-01 00:00:00+00';
			ALTER TABLE crm.customers ALTER opt_out_date SET NOT NULL`, "column opt_out_date of table crm.customers has a NOT NULL constraint"},
		// DuckDB adds no CHECK to an existing table: the table is made with it.
		{"check", `CREATE TABLE crm.c2 AS SELECT * FROM crm.customers; DROP TABLE crm.customers;
			CREATE TABLE crm.customers (customer_id VARCHAR, email VARCHAR, phone VARCHAR, ccpa_opt_out BOOLEAN CHECK (ccpa_opt_out OR customer_id IS NOT NULL));
			INSERT INTO crm.customers SELECT customer_id, email, phone, false FROM crm.c2`, "column ccpa_opt_out of table crm.customers has a CHECK constraint"},
		{"generated", `CREATE TABLE crm.c2 AS SELECT * FROM crm.customers; DROP TABLE crm.customers;
			CREATE TABLE crm.customers (customer_id VARCHAR, email VARCHAR, phone VARCHAR, ccpa_opt_out BOOLEAN GENERATED ALWAYS AS (false));
			INSERT INTO crm.customers SELECT customer_id, email, phone FROM crm.c2`, "its flag columns cannot be updated"},
		{"not null flag kept", `ALTER TABLE crm.customers ADD COLUMN ccpa_opt_out BOOLEAN DEFAULT false;
			ALTER TABLE crm.customers ALTER ccpa_opt_out SET NOT NULL`, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg, out, db := warehouseCopy(t)
			wh, err := sql.Open("duckdb", db)
			if err != nil {
				t.Fatal(err)
			}
			_, err = wh.Exec(c.ddl)
			wh.Close()
			if err != nil {
				t.Fatal(err)
			}
			r := runOptout(t, nil, append([]string{"validate"}, args(cfg)[1:]...)...)
			if c.want == "" {
				if r.code != 0 {
					t.Errorf("validate: exit %d, want 0\n%s", r.code, r.stderr)
				}
				return
			}
			if r.code != 3 || !strings.Contains(r.stderr, c.want) {
				t.Errorf("validate: exit %d, want 3 saying %q\n%s", r.code, c.want, r.stderr)
			}
			if r := runOptout(t, nil, args(cfg)...); r.code != 3 {
				t.Errorf("run: exit %d, want 3\n%s", r.code, r.stderr)
			}
			if _, err := os.Stat(filepath.Join(out, "complete")); err == nil {
				t.Error("the refused run published outputs")
			}
		})
	}
}

// optout plan prints the write-back too (SPEC §10: the SQL each step
// runs): it is the one step that changes a table of the warehouse, and the
// plan left it out. Printing it changes nothing: the table has no flag
// columns after the plan.
func TestPlanPrintsTheWriteBack(t *testing.T) {
	cfg, _, db := warehouseCopy(t)
	r := runOptout(t, nil, "plan", "--date", "2026-11-21", "--now", "2026-11-22T09:00:00Z", "--config", cfg)
	if r.code != 0 {
		t.Fatalf("plan: exit %d\n%s", r.code, r.stderr)
	}
	for _, want := range []string{
		"-- then the flags written back onto table crm.customers",
		"-- after the publish: the write-back onto table crm.customers",
		`ALTER TABLE "crm"."customers" ADD COLUMN IF NOT EXISTS ccpa_opt_out`,
		`UPDATE "crm"."customers" AS c` + "\nSET ccpa_opt_out = f.ccpa_opt_out",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the plan lacks %q", want)
		}
	}
	if strings.Contains(r.stdout, ";;") {
		t.Error("the plan ends a statement with two semicolons")
	}
	wh, err := sql.Open("duckdb", db)
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Close()
	var n int
	if err := wh.QueryRow(`SELECT count(*) FROM duckdb_columns() WHERE table_name = 'customers' AND column_name = 'ccpa_opt_out'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("after the plan the customers table has %d ccpa_opt_out columns (%v), want none", n, err)
	}
}
