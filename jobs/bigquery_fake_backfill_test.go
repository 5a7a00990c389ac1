package jobs

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/internal/engine"
	"github.com/optout-dev/optout/internal/engine/open"
	"github.com/optout-dev/optout/internal/exit"
	"github.com/optout-dev/optout/internal/testkit/bqfake"
	"github.com/optout-dev/optout/transforms"
)

// The job sequence of `optout backfill` on BigQuery, on a fake server
// (internal/testkit/bqfake) that records every job with its labels and
// statement, and every change to a table, in order; the emulator test
// (TestEmulatorBackfill, -tags bqemulator) checks the outputs. The fake
// runs no SQL: it answers each query job by its optout_step label with
// rows of the shape the run reads (fakeAnswers), and says which dates are
// published from the publish transactions it received.

// The backfill's two dates, and a now after both ended in Los Angeles.
var (
	fakeDates = []string{"2026-11-20", "2026-11-21"}
	fakeNow   = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
)

func fakeDay(dt string) time.Time {
	d, _ := time.Parse(time.DateOnly, dt)
	return d
}

// fakeCustomers is the customers table of fakeConfig.
const fakeCustomers = "proj.inputs.customers"

// fakeConfig is a small BigQuery config on the fake server: one request
// input, the customers and one export, tables of dataset inputs, with no
// freshness (the fake's inputs have no rows but one quarantined customer
// row, under a quarantine ratio that lets the run go on).
func fakeConfig(t *testing.T, f *bqfake.Server) *config.Config {
	t.Helper()
	f.AddTable("inputs.web_form", "request_id STRING, received_at TIMESTAMP, email STRING")
	f.AddTable("inputs.customers", "customer_id STRING, email STRING, phone STRING")
	f.AddTable("inputs.ads", "email STRING")
	p := filepath.Join(t.TempDir(), "optout.yaml")
	body := `engine: bigquery
timezone: America/Los_Angeles
inputs:
  requests:
    - {name: web_form, table: proj.inputs.web_form}
  customers: {table: ` + fakeCustomers + `}
exports:
  - {name: ads, table: proj.inputs.ads, destination: google_ads, category: advertising, identifiers: {email: email}}
policy: {max_quarantine_ratio: 1}
bigquery: {project: proj, dataset: optout, endpoint: "` + f.URL + `"}
`
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// fakeAnswers answers each query job by its optout_step label, with rows
// of the shape the run reads: every check passes, every table is empty;
// the published dates of a table, an export's history and the succeeded
// dates are what f received so far.
func fakeAnswers(f *bqfake.Server) func(bqfake.Job) *bqfake.Result {
	return func(j bqfake.Job) *bqfake.Result {
		s := j.Step
		dates := func(cols string, dts []string, more ...any) *bqfake.Result {
			r := bqfake.Rows(cols)
			for _, d := range dts {
				r.Rows = append(r.Rows, append([]any{d}, more...))
			}
			return r
		}
		switch {
		case strings.HasPrefix(s, "leak_check__"):
			return bqfake.Rows("leaks INTEGER, kept INTEGER", []any{0, 0}) // the fake writes no rows
		case s == "history_from":
			return bqfake.Rows("history_from DATE", []any{nil})
		case s == "customer_duplicates":
			return bqfake.Rows("duplicate_ids INTEGER, example STRING", []any{0, nil})
		case s == "ledger_removed":
			return bqfake.Rows("removed INTEGER", []any{0})
		case s == "customers_reread":
			return bqfake.Rows("differing INTEGER", []any{0})
		case s == "input_counts__customers":
			// One customer row, without a customer_id (quarantined): a
			// customers input with no rows fails the run, and one with a
			// usable row would need customers_flagged to write it.
			return bqfake.Rows("file STRING, n INTEGER, later BOOLEAN, reason STRING", []any{"table:" + fakeCustomers, 1, false, "missing_customer_id"})
		case strings.HasPrefix(s, "input_counts__"):
			return nil // no rows: the other inputs are empty
		case s == "succeeded_dates":
			return dates("dt STRING, succeeded BOOLEAN, final BOOLEAN", succeededRuns(f), true, true) // the fake's runs succeeded, final
		case strings.HasPrefix(s, "partitions_"):
			return dates("dt DATE", fakePublished(f, strings.TrimPrefix(s, "partitions_")))
		case s == "export_history": // the manifest's dates (micros: the client reads int64 timestamps)
			return dates("dt DATE, export STRING, published_at TIMESTAMP, published_as STRING", fakePublished(f, "export_manifest"),
				"ads", fakeNow.UnixMicro(), `{"destination":"google_ads","category":"advertising","hash_identifiers":false,"identifiers":{"email":"email"}}`)
		}
		return nil
	}
}

// fakePublished lists the dates of output table that a publish
// transaction f ran inserted.
func fakePublished(f *bqfake.Server, table string) []string {
	insert := regexp.MustCompile(regexp.QuoteMeta("INSERT INTO `proj`.`optout`.`"+table+"` (dt,") + `[^\n]*\nSELECT DATE '([0-9-]+)'`)
	var out []string
	for _, j := range f.Jobs() {
		if j.Step != "publish" || j.Err != "" {
			continue
		}
		for _, m := range insert.FindAllStringSubmatch(j.SQL, -1) {
			if !slices.Contains(out, m[1]) {
				out = append(out, m[1])
			}
		}
	}
	slices.Sort(out)
	return out
}

// succeededRuns lists the dates whose runs row f appended said succeeded:
// the row is staged by a runs job (status a parameter), then appended.
func succeededRuns(f *bqfake.Server) []string {
	var out []string
	var staged *bqfake.Job
	for _, j := range f.Jobs() {
		switch {
		case j.Err != "":
		case j.Step == "runs":
			staged = &j
		case j.Step == "append_runs" && staged != nil && slices.Contains(staged.Params, "succeeded"):
			out = append(out, staged.DT)
		}
	}
	return out
}

// dateRun is the part of the event sequence one date's run made: from
// taking the output dataset's lock to releasing it.
type dateRun struct {
	runID  string         // from the lock's description
	events []bqfake.Event // between the lock and its release
	closed bool           // the lock was released
}

// jobs are the run's jobs, in order.
func (d dateRun) jobs() []bqfake.Job {
	var out []bqfake.Job
	for _, e := range d.events {
		if e.Op == "job" {
			out = append(out, *e.Job)
		}
	}
	return out
}

// index is the position among d.jobs() of the first job of step, -1 if none.
func (d dateRun) index(step string) int {
	return slices.IndexFunc(d.jobs(), func(j bqfake.Job) bool { return j.Step == step })
}

const fakeLockTable = "optout._optout_lock"

// splitByLock cuts events into what came before the first lock, each
// date's run (lock to release) and what came after the last release; a
// lock taken while held fails the test.
func splitByLock(t *testing.T, events []bqfake.Event) (before []bqfake.Event, runs []dateRun, after []bqfake.Event) {
	t.Helper()
	for _, e := range events {
		open := len(runs) > 0 && !runs[len(runs)-1].closed
		switch {
		case e.Op == "create_table" && e.Name == fakeLockTable:
			if open {
				t.Fatalf("the lock was taken again while run %s held it", runs[len(runs)-1].runID)
			}
			runs = append(runs, dateRun{runID: strings.TrimPrefix(e.Sent.Description, "held by optout run ")})
			after = nil
		case e.Op == "delete_table" && e.Name == fakeLockTable:
			if !open {
				t.Fatal("the lock was released while nobody held it")
			}
			runs[len(runs)-1].closed = true
		case open:
			runs[len(runs)-1].events = append(runs[len(runs)-1].events, e)
		case len(runs) == 0:
			before = append(before, e)
		default:
			after = append(after, e)
		}
	}
	return before, runs, after
}

// checkDateRun checks one date's run that succeeded: each of its jobs
// carries its date and run id; its steps, then its publish transaction
// (with export_manifest last), then its runs row saying succeeded, then
// the release of the lock.
func checkDateRun(t *testing.T, dt string, d dateRun) {
	t.Helper()
	checkLabels(t, dt, d)
	jobs := d.jobs()
	pub, runs, appended := d.index("publish"), d.index("runs"), d.index("append_runs")
	if pub < 0 || runs < 0 || appended < 0 {
		t.Fatalf("%s: publish at %d, runs row staged at %d, appended at %d (-1: not while the lock was held): want all three", dt, pub, runs, appended)
	}
	for _, step := range []string{"export__ads", "leak_check__ads", "summary", "export_manifest"} {
		if i := d.index(step); i < 0 || i > pub {
			t.Errorf("%s: step %s at %d, want it before the publish at %d", dt, step, i, pub)
		}
	}
	sql := jobs[pub].SQL
	if !strings.HasPrefix(sql, "BEGIN TRANSACTION;\n") || !strings.HasSuffix(sql, "\nCOMMIT TRANSACTION;") {
		t.Errorf("%s: the publish is not one transaction:\n%s", dt, sql)
	}
	for _, other := range fakeDates {
		if has := strings.Contains(sql, "DATE '"+other+"'"); has != (other == dt) {
			t.Errorf("%s: the publish names date %s: %v", dt, other, has)
		}
	}
	inserts := regexp.MustCompile("INSERT INTO `proj`.`optout`.`(\\w+)`").FindAllStringSubmatch(sql, -1)
	if len(inserts) < 10 || inserts[len(inserts)-1][1] != "export_manifest" {
		t.Errorf("%s: the publish inserts into %v; want every output, export_manifest last", dt, inserts)
	}
	if n := strings.Count(strings.Join(stepsOf(jobs), " "), "publish"); n != 1 {
		t.Errorf("%s: %d publish jobs, want 1", dt, n)
	}
	if !(pub < runs && runs < appended && appended == len(jobs)-1) {
		t.Errorf("%s: publish at %d, runs row staged at %d and appended at %d of %d jobs: want them in that order, the append last before the lock's release", dt, pub, runs, appended, len(jobs))
	}
	if !slices.Contains(jobs[runs].Params, "succeeded") || !slices.Contains(jobs[runs].Params, d.runID) {
		t.Errorf("%s: the runs row's values %v, want run %s, succeeded", dt, jobs[runs].Params, d.runID)
	}
}

// checkLabels: every job of d carries d's date and run id as labels, and
// the run id is one of that date (newRunID starts it with the date).
func checkLabels(t *testing.T, dt string, d dateRun) {
	t.Helper()
	if !d.closed {
		t.Errorf("%s: run %s never released the lock", dt, d.runID)
	}
	if !strings.HasPrefix(d.runID, strings.ReplaceAll(dt, "-", "")+"T") {
		t.Errorf("%s: the lock is held by run %q, not a run of %s", dt, d.runID, dt)
	}
	for _, j := range d.jobs() {
		if j.DT != dt || j.RunID != strings.ToLower(d.runID) {
			t.Errorf("%s: job %s (step %s) is labelled dt %s, run %s; want %s, %s", dt, j.ID, j.Step, j.DT, j.RunID, dt, strings.ToLower(d.runID))
		}
	}
}

func stepsOf(jobs []bqfake.Job) []string {
	out := make([]string, len(jobs))
	for i, j := range jobs {
		out[i] = j.Step
	}
	return out
}

func fakeBackfill(cfg *config.Config, from, to string) (BackfillSummary, error) {
	return Backfill(context.Background(), BackfillOptions{RunOptions: RunOptions{Config: cfg, Now: fakeNow}, From: fakeDay(from), To: fakeDay(to)})
}

// The dates in order, each wholly published before the next takes the
// lock: its steps, its publish transaction, its runs row, the lock's
// release; every job labelled with its own date and run. The second date
// reads the first one's published state and export history.
func TestFakeBackfillJobSequence(t *testing.T) {
	f := bqfake.New(t)
	cfg := fakeConfig(t, f)
	f.Answer = fakeAnswers(f)
	sum, err := fakeBackfill(cfg, fakeDates[0], fakeDates[1])
	if err != nil {
		t.Fatal(err)
	}
	if sum.Status != "succeeded" || sum.ExitCode != 0 || !slices.Equal(sum.Done, fakeDates) || len(sum.Skipped) != 0 || sum.Failed != "" {
		t.Errorf("summary %+v, want both dates done", sum)
	}
	before, runs, after := splitByLock(t, f.Events())
	if len(runs) != len(fakeDates) {
		t.Fatalf("%d runs took the lock, want one per date (%d)", len(runs), len(fakeDates))
	}
	for i, dt := range fakeDates {
		checkDateRun(t, dt, runs[i])
	}
	for _, e := range append(before, after...) {
		if e.Op == "job" {
			t.Errorf("job %s (step %s) outside any date's run: the first backfill has nothing to read before the lock", e.Job.ID, e.Job.Step)
		}
	}
	// The second date reads what the first published: its optout_state
	// (the latest earlier partition) and the export's history.
	second := runs[1]
	if i := second.index("copy_optout_state"); i < 0 || !strings.Contains(second.jobs()[i].SQL, "WHERE dt = DATE '"+fakeDates[0]+"'") {
		t.Errorf("%s did not read %s's optout_state (steps %v)", fakeDates[1], fakeDates[0], stepsOf(second.jobs()))
	}
	if second.index("export_history") < 0 || second.index("copy_history_ads") < 0 {
		t.Errorf("%s did not read the export history (steps %v)", fakeDates[1], stepsOf(second.jobs()))
	}
	if got := fakePublished(f, "optout_state"); !slices.Equal(got, fakeDates) {
		t.Errorf("optout_state published for %v, want %v", got, fakeDates)
	}
}

// A date-1 step that fails stops the backfill at date 1: its runs row
// says failed and the lock is released, nothing of date 1 is published
// (the publish itself failing aside) and no job of date 2 is sent; the
// summary's exit code is the error's.
func TestFakeBackfillStopsAtFailedDate(t *testing.T) {
	for _, tc := range []struct {
		step, reason string // the job that fails, and how
		leak         bool   // instead: the leak check finds a leak
		code         int
	}{
		{step: "customers_flagged", reason: "invalidQuery", code: exit.Failed},
		{step: "register_src_customers", reason: "notFound", code: exit.Input},
		{step: "leak_check__ads", leak: true, code: exit.Failed},
		{step: "export_manifest", reason: "accessDenied", code: exit.Usage},
		// A step that reads an input: its own failure, not a bad input.
		{step: "customer_rows", reason: "resourcesExceeded", code: exit.Failed},
		{step: "customer_rows", reason: "accessDenied", code: exit.Usage},
		{step: "customer_rows", reason: "invalidQuery", code: exit.Input},
		{step: "publish", reason: "invalidQuery", code: exit.Failed},
	} {
		t.Run(tc.step, func(t *testing.T) {
			f := bqfake.New(t)
			cfg := fakeConfig(t, f)
			answers := fakeAnswers(f)
			f.Answer = func(j bqfake.Job) *bqfake.Result {
				if tc.leak && j.Step == tc.step && j.DT == fakeDates[0] {
					return bqfake.Rows("leaks INTEGER, kept INTEGER", []any{1, 0})
				}
				return answers(j)
			}
			f.Fail = func(j bqfake.Job) string {
				if j.Step == tc.step && j.DT == fakeDates[0] {
					return tc.reason
				}
				return ""
			}
			sum, err := fakeBackfill(cfg, fakeDates[0], fakeDates[1])
			if err == nil {
				t.Fatal("the backfill succeeded")
			}
			if sum.Status != "failed" || sum.Failed != fakeDates[0] || len(sum.Done) != 0 || sum.ExitCode != exit.Code(err) || sum.ExitCode != tc.code {
				t.Errorf("summary %+v (error exit %d: %v); want failed at %s, exit %d", sum, exit.Code(err), err, fakeDates[0], tc.code)
			}
			_, runs, _ := splitByLock(t, f.Events())
			if len(runs) != 1 {
				t.Fatalf("%d runs took the lock, want date 1's alone", len(runs))
			}
			d := runs[0]
			checkLabels(t, fakeDates[0], d)
			jobs := d.jobs()
			failed := slices.IndexFunc(jobs, func(j bqfake.Job) bool { return j.Step == tc.step })
			if failed < 0 {
				t.Fatalf("no job of step %s (steps %v)", tc.step, stepsOf(jobs))
			}
			for _, j := range jobs[:failed] {
				if j.Step == "publish" {
					t.Errorf("a publish job before the failing step %s", tc.step)
				}
			}
			// After the failure: the runs row (failed), nothing else.
			if got := stepsOf(jobs[failed+1:]); !slices.Equal(got, []string{"runs", "create_runs", "append_runs"}) {
				t.Errorf("after the failing step: %v, want the runs row's staging and append alone", got)
			}
			if runs := d.index("runs"); runs < 0 || !slices.Contains(jobs[runs].Params, "failed") {
				t.Errorf("the runs row does not say failed")
			}
			for _, j := range f.Jobs() {
				if j.DT == fakeDates[1] {
					t.Errorf("job %s (step %s) of %s sent after %s failed", j.ID, j.Step, fakeDates[1], fakeDates[0])
				}
			}
			if got := fakePublished(f, "export_manifest"); len(got) != 0 {
				t.Errorf("export_manifest published for %v", got)
			}
		})
	}
}

// A backfill run again after date 1 succeeded skips it: it reads the runs
// rows, takes the lock for date 2 alone, and sends no job of date 1's run.
func TestFakeBackfillResumes(t *testing.T) {
	f := bqfake.New(t)
	cfg := fakeConfig(t, f)
	f.Answer = fakeAnswers(f)
	if sum, err := fakeBackfill(cfg, fakeDates[0], fakeDates[0]); err != nil || !slices.Equal(sum.Done, fakeDates[:1]) {
		t.Fatalf("backfill of %s: %+v, %v", fakeDates[0], sum, err)
	}
	if got := succeededRuns(f); !slices.Equal(got, fakeDates[:1]) {
		t.Fatalf("the fake holds succeeded runs rows for %v, want %s", got, fakeDates[0])
	}
	first := len(f.Events())
	sum, err := fakeBackfill(cfg, fakeDates[0], fakeDates[1])
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sum.Skipped, fakeDates[:1]) || !slices.Equal(sum.Done, fakeDates[1:]) || sum.Status != "succeeded" {
		t.Errorf("summary %+v, want %s skipped and %s done", sum, fakeDates[0], fakeDates[1])
	}
	before, runs, after := splitByLock(t, f.Events()[first:])
	if len(runs) != 1 {
		t.Fatalf("%d runs took the lock, want date 2's alone", len(runs))
	}
	checkDateRun(t, fakeDates[1], runs[0])
	// Before the lock, the backfill itself reads the runs rows (its own
	// run id, no date's), and nothing after the release.
	var steps []string
	for _, e := range before {
		if e.Op == "job" {
			steps = append(steps, e.Job.Step)
			if e.Job.RunID == strings.ToLower(runs[0].runID) || strings.HasPrefix(e.Job.Step, "register_") || e.Job.Step == "publish" {
				t.Errorf("job %s (step %s, run %s) before the lock", e.Job.ID, e.Job.Step, e.Job.RunID)
			}
		}
	}
	if !slices.Contains(steps, "succeeded_dates") {
		t.Errorf("the backfill did not read the runs rows before the lock: %v", steps)
	}
	for _, e := range after {
		if e.Op == "job" {
			t.Errorf("job %s (step %s) after the last release", e.Job.ID, e.Job.Step)
		}
	}
	if got := fmt.Sprint(fakePublished(f, "optout_state")); got != fmt.Sprint(fakeDates) {
		t.Errorf("optout_state published for %s, want %v", got, fakeDates)
	}
}

// fakeJobs is the BigQuery engine of a backfill on the fake server,
// counting from the jobs the fake received the statements each Run sent,
// per date: one a job, but one per function for the job that creates the
// run's functions (the macros step, one script).
type fakeJobs struct {
	engine.Engine
	f   *bqfake.Server
	dt  string           // the date whose run is running
	ran map[string]int64 // per date
}

func (e *fakeJobs) Run(ctx context.Context, s transforms.Step) (int64, []engine.Row, error) {
	before := len(e.f.Jobs())
	n, rows, err := e.Engine.Run(ctx, s)
	for _, j := range e.f.Jobs()[before:] {
		if !j.DryRun {
			e.ran[e.dt] += int64(max(1, strings.Count(j.SQL, "CREATE OR REPLACE FUNCTION ")))
		}
	}
	return n, rows, err
}

// Each date's summary and runs row count the statements of the jobs its
// steps sent: the drop before a table made again on a later date counts,
// the free steps (BigQuery keeps the tables to the end) send nothing.
func TestFakeBackfillCountsStatements(t *testing.T) {
	f := bqfake.New(t)
	cfg := fakeConfig(t, f)
	f.Answer = fakeAnswers(f)
	ctx := context.Background()
	inner, err := open.Engine(ctx, cfg, open.Options{RunID: newRunID(fakeDay(fakeDates[0])), Date: fakeDates[0]})
	if err != nil {
		t.Fatal(err)
	}
	defer inner.Close()
	eng := &fakeJobs{Engine: inner, f: f, ran: map[string]int64{}}
	sum, err := Backfill(ctx, BackfillOptions{RunOptions: RunOptions{Config: cfg, Now: fakeNow, Engine: eng},
		From: fakeDay(fakeDates[0]), To: fakeDay(fakeDates[1]), OnDate: func(_, _ int, dt string) { eng.dt = dt }})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("statements per date: %v", sum.Statements)
	_, runs, _ := splitByLock(t, f.Events())
	for i, dt := range fakeDates {
		want := eng.ran[dt]
		if sum.Statements[dt] != want || want == 0 {
			t.Errorf("%s: the summary says %d statements; the steps sent %d", dt, sum.Statements[dt], want)
		}
		// The runs row's statements: a number, inlined into its SQL.
		row := runs[i].jobs()[runs[i].index("runs")].SQL
		if m := regexp.MustCompile(`\b(\d+)\b[^\n]*\bAS statements\b`).FindStringSubmatch(row); m == nil || m[1] != fmt.Sprint(want) {
			t.Errorf("%s: the runs row says statements %v, want %d:\n%s", dt, m, want, row)
		}
	}
}

// The plan's input scans (optout plan prints them): on BigQuery each input
// is copied into the scratch dataset once, then read by the steps that
// name it, each with its dry-run bytes. With
// bigquery.read_customers_in_place and read_exports_in_place the customers
// and the exports are read where they are, twice each, and no third time
// (issue 28's two reads per big input).
func TestPlanInputScansOnBigQuery(t *testing.T) {
	for _, inPlace := range []bool{false, true} {
		f := bqfake.New(t)
		answer := fakeAnswers(f)
		f.Answer = func(j bqfake.Job) *bqfake.Result {
			if r := answer(j); r != nil || !j.DryRun {
				return r
			}
			return bqfake.Rows("x STRING") // a dry run's result schema; the fake reads no SQL
		}
		cfg := fakeConfig(t, f)
		cfg.BigQuery.ReadCustomersInPlace, cfg.BigQuery.ReadExportsInPlace = inPlace, inPlace
		p, err := Plan(context.Background(), RunOptions{Config: cfg, Date: fakeDay(fakeDates[1]), Now: fakeNow})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range p.InputScans() {
			var reads []string
			for _, r := range s.Reads {
				if r.Bytes != bqfake.DryRunBytes {
					t.Errorf("input %s, step %s: %d bytes, not the dry run's", s.Input, r.Step, r.Bytes)
				}
				read := r.Step
				if r.Copies != "" {
					read += " (copy)"
				}
				reads = append(reads, read)
			}
			got = append(got, s.Input+": "+strings.Join(reads, ", "))
		}
		want := []string{
			"web_form: register_src_web_form (copy), request_rows__web_form, quarantine__web_form",
			"customers: register_src_customers (copy), customer_rows, quarantine__customers, customers_flagged",
			"ads: register_src_ads (copy), export_rows__ads, quarantine__ads, export__ads",
		}
		if inPlace {
			want = []string{want[0], "customers: customer_rows, customers_flagged", "ads: export_rows__ads, export__ads"} // no copy, no third read
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("in place %v: input scans:\n%s\nwant:\n%s", inPlace, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}
