package cli

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/optout-dev/optout/internal/redact"
)

// demoConfig writes a config over the shipped demo data (absolute paths)
// with its output in a temp folder; edit rewrites the YAML first.
func demoConfig(t testing.TB, edit func(string) string) (cfg, out string) {
	t.Helper()
	data, err := filepath.Abs("../../../testdata/demo/data")
	if err != nil {
		t.Fatal(err)
	}
	y, err := os.ReadFile("../../../testdata/demo/optout.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	out = filepath.Join(tmp, "out")
	s := strings.ReplaceAll(string(y), "path: data/", "path: "+data+"/")
	s = strings.Replace(s, "output: ../../out/demo", "output: "+out, 1)
	if edit != nil {
		s = edit(s)
	}
	cfg = filepath.Join(tmp, "optout.yaml")
	if err := os.WriteFile(cfg, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg, out
}

func run(t testing.TB, args ...string) (int, string, string) {
	t.Helper()
	var so, se bytes.Buffer
	code := Run(context.Background(), args, &so, &se)
	return code, so.String(), se.String()
}

func queryInt(t *testing.T, db *sql.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%v\n%s", err, q)
	}
	return n
}

func TestNothingLost(t *testing.T) {
	cfg, out := demoConfig(t, nil)
	if code, _, se := run(t, "run", "--config", cfg, "--date", "2026-11-21", "--now", "2026-11-22T09:00:00Z"); code != 0 {
		t.Fatalf("exit %d\n%s", code, se)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	data, _ := filepath.Abs("../../../testdata/demo/data")
	inputs := map[string]string{
		"web_form":          data + "/requests/web_form/**/*.parquet",
		"preference_center": data + "/requests/preference_center.parquet",
		"gpc":               data + "/requests/gpc.parquet",
		"customers":         data + "/customers/*.parquet",
		"identity_links":    data + "/identity_links.parquet",
		"traffic":           data + "/traffic.parquet",
	}
	totalQuarantined := int64(0)
	for input, glob := range inputs {
		var read, used, quarantined, later int64
		err := db.QueryRow(fmt.Sprintf(`SELECT sum(i.rows_read), sum(i.rows_used), sum(i.rows_quarantined), sum(i.rows_after_as_of)
			FROM (SELECT unnest(inputs) AS i FROM read_parquet('%s/runs/*.parquet')) WHERE i.input = ?`, out), input).
			Scan(&read, &used, &quarantined, &later)
		if err != nil {
			t.Fatal(err)
		}
		inFiles := queryInt(t, db, fmt.Sprintf("SELECT count(*) FROM read_parquet('%s')", glob))
		inQuarantine := queryInt(t, db, fmt.Sprintf("SELECT count(*) FROM read_parquet('%s/quarantine/%s/dt=2026-11-21/*.parquet')", out, input))
		if read != inFiles || read != used+quarantined+later || quarantined != inQuarantine {
			t.Errorf("%s: files hold %d rows; runs says read %d = used %d + quarantined %d + after as-of %d; quarantine holds %d",
				input, inFiles, read, used, quarantined, later, inQuarantine)
		}
		totalQuarantined += quarantined
	}
	if totalQuarantined == 0 {
		t.Error("the demo should exercise quarantine")
	}
	// Customers: every usable row is flagged.
	if n := queryInt(t, db, fmt.Sprintf("SELECT count(*) FROM read_parquet('%s/customers_flagged/dt=2026-11-21/*.parquet')", out)); n != 3000 {
		t.Errorf("customers_flagged has %d rows, want 3000", n)
	}
}

func TestStaleInputPublishesNothing(t *testing.T) {
	cfg, out := demoConfig(t, nil)
	code, so, se := run(t, "run", "--config", cfg, "--date", "2026-12-02", "--now", "2026-12-03T09:00:00Z")
	// It names the file holding the newest row, and that row's time.
	if code != 1 || !strings.Contains(se, "input web_form is stale") || !strings.Contains(se, "freshness 48h") ||
		!regexp.MustCompile(`newest row \(in file \S+/web_form/dt=2026-11-01/data_0\.parquet\) was received at 2026-11-22T12:00:00Z`).MatchString(se) {
		t.Fatalf("exit %d, want 1 naming the stale input, its newest file and time\n%s", code, se)
	}
	if !strings.Contains(so, `"status":"failed"`) {
		t.Errorf("summary: %s", so)
	}
	for _, table := range []string{"customers_flagged", "optout_state", "requests_ledger", "quarantine"} {
		if _, err := os.Stat(filepath.Join(out, table)); err == nil {
			t.Errorf("%s was published by a failed run", table)
		}
	}
	if entries, _ := os.ReadDir(filepath.Join(out, "runs")); len(entries) != 1 {
		t.Errorf("the failed run should still leave its runs row, found %d", len(entries))
	}
}

func TestBadInputFilesExit3(t *testing.T) {
	tmp := t.TempDir()
	garbage := filepath.Join(tmp, "broken.parquet")
	if err := os.WriteFile(garbage, []byte("this is not parquet"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, from, to, want string }{
		{"unreadable file", "path: PREFIX/requests/gpc.parquet", "path: " + garbage, redact.String("file " + garbage + " cannot be read as Parquet")},
		{"no files match", "path: PREFIX/requests/gpc.parquet", "path: " + tmp + "/nothing/*.parquet", "matches no Parquet or Arrow IPC files"},
		{"missing path", "path: PREFIX/requests/gpc.parquet", "path: " + tmp + "/absent.parquet", "does not exist"},
		{"customers missing customer_id", "customers: {path: PREFIX/customers}", "customers: {path: PREFIX/traffic.parquet}", "column customer_id: required column is missing"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data, _ := filepath.Abs("../../../testdata/demo/data")
			cfg, out := demoConfig(t, func(s string) string {
				return strings.Replace(s, strings.ReplaceAll(c.from, "PREFIX", data), strings.ReplaceAll(c.to, "PREFIX", data), 1)
			})
			code, _, se := run(t, "run", "--config", cfg, "--date", "2026-11-21")
			if code != 3 || !strings.Contains(se, c.want) {
				t.Fatalf("exit %d, want 3 with %q\n%s", code, c.want, se)
			}
			if _, err := os.Stat(filepath.Join(out, "customers_flagged")); err == nil {
				t.Error("outputs published despite bad input")
			}
		})
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	cfg, _ := demoConfig(t, nil)
	lots, _ := demoConfig(t, func(s string) string { return s + "duckdb: {memory_limit: lots}\n" })
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"run", "--date", "2026-11-21"}, "--config is required"},
		{[]string{"run", "--config", cfg}, "--date is required"},
		{[]string{"run", "--config", cfg, "--date", "21/11/2026"}, "use the form YYYY-MM-DD"},
		{[]string{"run", "--config", cfg, "--date", "2026-11-21", "--now", "tomorrow"}, "use RFC3339"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"run", "--config", "/nonexistent/optout.yaml", "--date", "2026-11-21"}, "does not exist"},
		// A value DuckDB refuses is the config's error, not the run's.
		{[]string{"run", "--config", lots, "--date", "2026-11-21"}, "config duckdb.memory_limit: DuckDB refuses it"},
	}
	for _, c := range cases {
		code, _, se := run(t, c.args...)
		if code != 2 || !strings.Contains(se, c.want) {
			t.Errorf("%v: exit %d, want 2 with %q\n%s", c.args, code, c.want, se)
		}
	}
}

func TestValidateWritesNothing(t *testing.T) {
	cfg, out := demoConfig(t, nil)
	code, so, se := run(t, "validate", "--config", cfg, "--date", "2026-11-21")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, se)
	}
	if !strings.Contains(so, `"status":"succeeded"`) {
		t.Errorf("summary: %s", so)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("validate created the output folder")
	}
	// Its summary counts the customers a run would flag (it said 0).
	var vs, rs struct{ Customers int64 }
	lines := strings.Split(strings.TrimSpace(so), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &vs); err != nil {
		t.Fatal(err)
	}
	code, so, se = run(t, "run", "--config", cfg, "--date", "2026-11-21", "--log-format", "json")
	lines = strings.Split(strings.TrimSpace(so), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &rs); err != nil || code != 0 {
		t.Fatalf("run: exit %d, %v\n%s", code, err, se)
	}
	if vs.Customers == 0 || vs.Customers != rs.Customers {
		t.Errorf("validate's summary counts %d customers, the run %d", vs.Customers, rs.Customers)
	}
}

// Without --date, validate checks as of today in the config's timezone:
// 05:00 UTC on 22 November is still the 21st in Los Angeles (the demo's).
func TestValidateDefaultsToTodayInTheTimezone(t *testing.T) {
	cfg, _ := demoConfig(t, nil)
	code, so, se := run(t, "validate", "--config", cfg, "--now", "2026-11-22T05:00:00Z")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, se)
	}
	if !strings.Contains(so, `"dt":"2026-11-21"`) {
		t.Errorf("validate without --date at 2026-11-22T05:00:00Z in America/Los_Angeles: %s, want dt 2026-11-21", so)
	}
}

func TestRetentionRemovesOnlyOldPartitions(t *testing.T) {
	cfg, out := demoConfig(t, func(s string) string {
		s = strings.Replace(s, ", freshness: 48h", "", 1)
		return strings.Replace(s, "policy:\n", "policy:\n  snapshot_retention_days: 1\n  export_retention_days: 2\n", 1)
	})
	for _, d := range []string{"2026-11-18", "2026-11-19", "2026-11-20", "2026-11-21"} {
		if code, _, se := run(t, "run", "--config", cfg, "--date", d, "--now", "2026-11-22T09:00:00Z"); code != 0 {
			t.Fatalf("%s: exit %d\n%s", d, code, se)
		}
	}
	want := map[string][]string{
		"customers_flagged":               {"dt=2026-11-20", "dt=2026-11-21"},
		"optout_state":                    {"dt=2026-11-20", "dt=2026-11-21"},
		"exports/meta_audience":           {"dt=2026-11-19", "dt=2026-11-20", "dt=2026-11-21"},
		"suppression/partner_list_rental": {"dt=2026-11-19", "dt=2026-11-20", "dt=2026-11-21"},
		"export_report":                   {"dt=2026-11-19", "dt=2026-11-20", "dt=2026-11-21"},
		"metrics/processing_time":         {"dt=2026-11-18", "dt=2026-11-19", "dt=2026-11-20", "dt=2026-11-21"},
		"third_party_notifications":       {"dt=2026-11-18", "dt=2026-11-19", "dt=2026-11-20", "dt=2026-11-21"},
		"quarantine/web_form":             {"dt=2026-11-18", "dt=2026-11-19", "dt=2026-11-20", "dt=2026-11-21"},
	}
	// Each removal is recorded in the runs row of the run that made it.
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for table, n := range map[string]int64{"customers_flagged": 2, "optout_state": 2, "exports/meta_audience": 1, "export_report": 1} {
		if got := queryInt(t, db, fmt.Sprintf(`SELECT coalesce(sum(r.partitions), 0) FROM (SELECT unnest(retention_removed) AS r FROM read_parquet('%s/runs/*.parquet')) WHERE r."table" = ?`, out), table); got != n {
			t.Errorf("runs rows record %d removed partitions of %s, want %d", got, table, n)
		}
	}
	for table, dirs := range want {
		entries, _ := os.ReadDir(filepath.Join(out, table))
		var got []string
		for _, e := range entries {
			got = append(got, e.Name())
		}
		if strings.Join(got, " ") != strings.Join(dirs, " ") {
			t.Errorf("%s holds %v, want %v", table, got, dirs)
		}
	}
}

func assertNoOutput(t *testing.T, out string) {
	t.Helper()
	if _, err := os.Stat(out); err == nil {
		t.Errorf("%s was created by a command that must write nothing", out)
	}
}

// The OpenLineage RunEvent fields we write, checked against what the spec
// (2-0-2) requires of them.
func TestLineageEvents(t *testing.T) {
	lin := filepath.Join(t.TempDir(), "lineage.jsonl")
	cfg, out := demoConfig(t, func(s string) string { return s + "lineage: {file: " + lin + "}\n" })
	if code, _, se := run(t, "run", "--config", cfg, "--date", "2026-11-21", "--now", "2026-11-22T09:00:00Z"); code != 0 {
		t.Fatalf("exit %d\n%s", code, se)
	}
	if code, _, _ := run(t, "run", "--config", cfg, "--date", "2026-12-02", "--now", "2026-12-03T09:00:00Z"); code != 1 {
		t.Fatalf("stale run: exit %d, want 1", code)
	}
	b, err := os.ReadFile(lin)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	var types, runIDs []string
	for _, l := range lines {
		var ev struct {
			EventType string `json:"eventType"`
			EventTime string `json:"eventTime"`
			Producer  string `json:"producer"`
			SchemaURL string `json:"schemaURL"`
			Run       struct {
				RunID string `json:"runId"`
			} `json:"run"`
			Job struct {
				Namespace, Name string
			} `json:"job"`
			Inputs, Outputs []struct {
				Namespace, Name string
			}
		}
		if err := json.Unmarshal([]byte(l), &ev); err != nil {
			t.Fatalf("not JSON: %v", err)
		}
		if _, err := time.Parse(time.RFC3339Nano, ev.EventTime); err != nil {
			t.Errorf("eventTime %q is not an ISO 8601 date-time", ev.EventTime)
		}
		if !uuid.MatchString(ev.Run.RunID) {
			t.Errorf("runId %q is not a UUID", ev.Run.RunID)
		}
		if !strings.HasPrefix(ev.Producer, "https://") || !strings.HasPrefix(ev.SchemaURL, "https://openlineage.io/spec/") ||
			ev.Job.Namespace == "" || ev.Job.Name == "" || len(ev.Inputs) < 9 || len(ev.Outputs) < 10 {
			t.Errorf("event lacks required fields or datasets: %s", l)
		}
		for _, d := range append(ev.Inputs, ev.Outputs...) {
			if d.Namespace == "" || d.Name == "" {
				t.Errorf("dataset without namespace or name: %s", l)
			}
		}
		types = append(types, ev.EventType)
		runIDs = append(runIDs, ev.Run.RunID)
		if ev.EventType == "COMPLETE" {
			var names []string
			for _, d := range ev.Outputs {
				names = append(names, d.Name)
			}
			sort.Strings(names)
			if got, want := strings.Join(names, "\n"), strings.Join(tableFolders(t, out), "\n"); got != want {
				t.Errorf("the COMPLETE event's outputs are not the folders the run wrote:\nevent:\n%s\nwritten:\n%s", got, want)
			}
		}
	}
	if strings.Join(types, " ") != "START COMPLETE START FAIL" {
		t.Errorf("events %v", types)
	}
	if len(runIDs) == 4 && (runIDs[0] != runIDs[1] || runIDs[2] != runIDs[3] || runIDs[0] == runIDs[2]) {
		t.Errorf("run ids %v: one per run, shared by its events", runIDs)
	}
}

// Output redirected away from a person gets no progress bar or human
// summary: /dev/null (a character device, as cron's `> /dev/null` makes
// stdout), a file and a pipe.
func TestRedirectedIsNotTerminal(t *testing.T) {
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	file, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	_, pipe, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pipe.Close()
	for _, f := range []*os.File{devNull, file, pipe} {
		if isTerminal(f) {
			t.Errorf("%s is taken for a terminal", f.Name())
		}
	}
}

// tableFolders are the output's table folders, sorted: each folder holding
// dt= partitions or files, outside optout's internal _optout/ (the files
// right under the output, the analysts' catalog, are no table).
func tableFolders(t *testing.T, out string) []string {
	t.Helper()
	seen := map[string]bool{}
	err := filepath.WalkDir(out, func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && (d.Name() == "_optout" || path == filepath.Join(out, "complete")):
			return filepath.SkipDir // optout's own files; the dates' completion markers hold no data
		case d.IsDir() && strings.HasPrefix(d.Name(), "dt="):
			seen[filepath.Dir(path)] = true
			return filepath.SkipDir
		case !d.IsDir() && filepath.Dir(path) != out:
			seen[filepath.Dir(path)] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	dirs := make([]string, 0, len(seen))
	for d := range seen {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	return dirs
}

// Airflow reads the last stdout line of `optout run` on every exit code:
// a run refused for its usage or config still ends with its JSON summary.
func TestUsageErrorsEndWithTheJSONSummary(t *testing.T) {
	cfg, _ := demoConfig(t, nil)
	for name, args := range map[string][]string{
		"missing config": {"run", "--config", filepath.Join(t.TempDir(), "nope.yaml"), "--date", "2026-11-21"},
		"bad date":       {"run", "--config", cfg, "--date", "2026-13-01"},
		"no date":        {"run", "--config", cfg},
		"bad now":        {"run", "--config", cfg, "--date", "2026-11-21", "--now", "tomorrow"},
		"unknown flag":   {"run", "--config", cfg, "--dat", "2026-11-21"},
	} {
		code, so, se := run(t, args...)
		if code != 2 {
			t.Errorf("%s: exit %d, want 2\n%s", name, code, se)
			continue
		}
		lines := strings.Split(strings.TrimSpace(so), "\n")
		var sum struct {
			Status   string `json:"status"`
			ExitCode int    `json:"exit_code"`
			Error    string `json:"error"`
		}
		if err := json.Unmarshal([]byte(lines[len(lines)-1]), &sum); err != nil || sum.Status != "failed" || sum.ExitCode != 2 || sum.Error == "" {
			t.Errorf("%s: last stdout line %q is not a failed summary with exit_code 2 (%v)", name, lines[len(lines)-1], err)
		}
	}
}

// A run before D has ended in the config's timezone is refused (exit 2,
// saying when D ends) unless --provisional, and a provisional run before D
// has begun is refused too; a provisional run says so in its summary and
// runs row, and a backfill does not count it as done.
func TestRunBeforeTheDateEndsIsProvisional(t *testing.T) {
	cfg, out := demoConfig(t, func(s string) string { return strings.Replace(s, ", freshness: 48h", "", 1) })
	early := []string{"run", "--config", cfg, "--date", "2026-11-21", "--now", "2026-11-21T20:00:00Z"}
	code, so, se := run(t, early...)
	if code != 2 || !strings.Contains(se, "2026-11-21 has not ended in America/Los_Angeles: it ends at 2026-11-22T08:00:00Z") ||
		!strings.Contains(so, `"exit_code":2`) {
		t.Fatalf("a run before D ended: exit %d, want 2 saying when D ends\n%s\n%s", code, so, se)
	}
	if _, err := os.Stat(filepath.Join(out, "customers_flagged")); err == nil {
		t.Error("a refused run published outputs")
	}
	// Not a day that has not begun: retention counts back from D.
	ahead := []string{"run", "--config", cfg, "--date", "2028-06-01", "--now", "2026-11-21T20:00:00Z", "--provisional"}
	if code, _, se := run(t, ahead...); code != 2 || !strings.Contains(se, "2028-06-01 has not begun in America/Los_Angeles: it begins at 2028-06-01T07:00:00Z") {
		t.Fatalf("a provisional run of a day not begun: exit %d, want 2 saying when it begins\n%s", code, se)
	}
	if _, err := os.Stat(filepath.Join(out, "customers_flagged")); err == nil {
		t.Error("a refused run published outputs")
	}
	// Nor a now ahead of the clock, with which any date had ended: a run
	// of a date years ahead removed outputs inside their retention.
	future := time.Now().AddDate(3, 0, 0)
	for _, cmd := range [][]string{
		{"run", "--config", cfg, "--date", future.AddDate(0, 0, -1).Format(time.DateOnly), "--now", future.Format(time.RFC3339)},
		{"backfill", "--config", cfg, "--from", "2026-11-21", "--to", future.AddDate(0, 0, -1).Format(time.DateOnly), "--now", future.Format(time.RFC3339)},
	} {
		if code, so, se := run(t, cmd...); code != 2 || !strings.Contains(se, "is ahead of the clock") || !strings.Contains(so, `"exit_code":2`) {
			t.Fatalf("%s with a now ahead of the clock: exit %d, want 2\n%s\n%s", cmd[0], code, so, se)
		}
	}
	// The zero time was taken for "not given" and replaced by the clock.
	if code, _, se := run(t, "run", "--config", cfg, "--date", "2026-11-21", "--now", "0001-01-01T00:00:00Z"); code != 2 || !strings.Contains(se, "before 2000") {
		t.Fatalf("a now in the year 1: exit %d, want 2\n%s", code, se)
	}
	if _, err := os.Stat(filepath.Join(out, "customers_flagged")); err == nil {
		t.Error("a refused run published outputs")
	}
	code, so, se = run(t, append(early, "--provisional")...)
	if code != 0 || !strings.Contains(so, `"provisional":true`) {
		t.Fatalf("provisional run: exit %d, summary %s\n%s", code, so, se)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	runs := filepath.Join(out, "runs", "*.parquet")
	if n := queryInt(t, db, "SELECT count(*) FROM read_parquet(?) WHERE provisional AND status = 'succeeded'", runs); n != 1 {
		t.Errorf("%d provisional runs rows, want 1", n)
	}
	// The final run of D comes from a backfill, which does not skip it.
	code, so, se = run(t, "backfill", "--config", cfg, "--from", "2026-11-21", "--to", "2026-11-21", "--now", "2026-11-22T09:00:00Z")
	if code != 0 || !strings.Contains(so, `"done":["2026-11-21"]`) {
		t.Fatalf("backfill after a provisional run: exit %d\n%s\n%s", code, so, se)
	}
	if n := queryInt(t, db, "SELECT count(*) FROM read_parquet(?) WHERE NOT provisional AND status = 'succeeded'", runs); n != 1 {
		t.Errorf("%d final runs rows, want 1", n)
	}
	// A backfill whose last date has not ended is refused before any date.
	code, _, se = run(t, "backfill", "--config", cfg, "--from", "2026-11-22", "--to", "2026-11-23", "--now", "2026-11-23T09:00:00Z")
	// It does not advise --provisional, which backfill does not take.
	if code != 2 || !strings.Contains(se, "--to 2026-11-23 has not ended") || !strings.Contains(se, "end it at 2026-11-22") ||
		strings.Contains(se, "or pass --provisional") {
		t.Errorf("backfill up to a date that has not ended: exit %d\n%s", code, se)
	}
}

// A run whose now is before that of a run already published in the output
// is refused (exit 2, before anything changes): it would record requests
// as enforced before exports that went out without them (the ledger's
// first_enforced_at and SLA status backdated, the later exports left out
// of the notifications). A now a few minutes earlier (another host's
// clock) and a later one go ahead.
func TestNowBeforeAPublishedRunIsRefused(t *testing.T) {
	cfg, out := demoConfig(t, noFreshness)
	if code, _, se := run(t, "run", "--config", cfg, "--date", "2026-11-21", "--now", "2026-11-22T09:00:00Z"); code != 0 {
		t.Fatalf("first run: exit %d\n%s", code, se)
	}
	before := treeBytes(t, out, "requests_ledger", "exports", "third_party_notifications")
	for _, cmd := range [][]string{
		{"run", "--config", cfg, "--date", "2026-11-20", "--now", "2026-11-21T09:00:00Z"},
		{"backfill", "--config", cfg, "--from", "2026-11-19", "--to", "2026-11-20", "--force", "--now", "2026-11-21T09:00:00Z"},
	} {
		code, so, se := run(t, cmd...)
		if code != 2 || !strings.Contains(se, "is before the now of a run already published in this output (2026-11-22T09:00:00Z)") || !strings.Contains(so, `"exit_code":2`) {
			t.Fatalf("%s with a now before the published run's: exit %d, want 2\n%s\n%s", cmd[0], code, so, se)
		}
		if !maps.Equal(treeBytes(t, out, "requests_ledger", "exports", "third_party_notifications"), before) {
			t.Fatalf("%s with a refused now changed the ledger, exports or notifications", cmd[0])
		}
		if _, err := os.Stat(filepath.Join(out, "customers_flagged", "dt=2026-11-20")); err == nil {
			t.Fatalf("%s with a refused now published 2026-11-20", cmd[0])
		}
	}
	for _, now := range []string{"2026-11-22T08:57:00Z", "2026-11-23T09:00:00Z"} {
		if code, _, se := run(t, "run", "--config", cfg, "--date", "2026-11-20", "--now", now); code != 0 {
			t.Fatalf("a run with now %s: exit %d, want 0\n%s", now, code, se)
		}
	}
}

// A run that runs out of memory while it reads its inputs failed (exit
// 1): the inputs were not found wanting (exit 3, which a scheduler does
// not retry, as it would a run given more memory).
func TestOutOfMemoryReadingInputsExits1(t *testing.T) {
	cfg, _ := demoConfig(t, func(s string) string { return s + "duckdb: {memory_limit: 1MB}\n" })
	code, so, se := run(t, "run", "--config", cfg, "--date", "2026-11-21", "--now", "2026-11-22T09:00:00Z")
	if code != 1 || !strings.Contains(se, "Out of Memory") || !strings.Contains(so, `"exit_code":1`) {
		t.Fatalf("a run out of memory: exit %d, want 1\n%s\n%s", code, so, se)
	}
}
