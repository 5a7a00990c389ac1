package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/internal/engine"
	"github.com/optout-dev/optout/internal/exit"
	"github.com/optout-dev/optout/internal/gen"
	"github.com/optout-dev/optout/internal/redact"
	"github.com/optout-dev/optout/jobs"
	"github.com/optout-dev/optout/transforms"
)

// setup parses the common flags plus the command's own, loads the config
// and builds the run options; it prints the error and returns its exit
// code when anything is wrong (ok false).
func setup(name string, args []string, stdout, stderr io.Writer, own func(*flag.FlagSet)) (jobs.RunOptions, int, bool) {
	c := newFlags(name)
	if own != nil {
		own(c.fs)
	}
	fail := func(err error) (jobs.RunOptions, int, bool) {
		printError(stderr, name, err)
		return jobs.RunOptions{}, exit.Code(err), false
	}
	if err := c.parse(args, stdout); err != nil {
		if errors.Is(err, errHelpShown) {
			return jobs.RunOptions{}, exit.OK, false
		}
		return fail(exit.With(exit.Usage, err))
	}
	log, err := c.logger(stderr)
	if err != nil {
		return fail(exit.With(exit.Usage, err))
	}
	cfg, err := config.Load(c.config)
	if err != nil {
		return fail(err)
	}
	return jobs.RunOptions{Config: cfg, Version: Version(), Log: log}, 0, true
}

func dateFlag(fs *flag.FlagSet, name, usage string, into *time.Time, set *bool) {
	fs.Func(name, usage, func(s string) error {
		d, err := parseDate("--"+name, s)
		*into, *set = d, true
		return err
	})
}

func planCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var date time.Time
	var hasDate bool
	var now string
	o, code, ok := setup("plan", args, stdout, stderr, func(fs *flag.FlagSet) {
		dateFlag(fs, "date", "the logical date D whose run to plan, `YYYY-MM-DD` (required)", &date, &hasDate)
		fs.StringVar(&now, "now", "", "take the run's wall-clock start to be this `RFC3339` time, which the steps' parameters derive from (default: the clock); give it for a plan that prints the same each time")
	})
	if !ok {
		return code
	}
	if !hasDate {
		fmt.Fprintln(stderr, "optout plan: --date is required: the logical date whose steps to print, YYYY-MM-DD")
		return exit.Usage
	}
	o.Date, o.Now = date, time.Now()
	if now != "" {
		t, err := parseNow(now)
		if err != nil {
			printError(stderr, "plan", err)
			return exit.Usage
		}
		o.Now = t
	}
	planned, err := jobs.Plan(ctx, o)
	steps := append(planned.Phases.Validate, planned.Phases.Transform...)
	if len(steps) > 0 {
		inputs, lerr := jobs.ListInputs(o.Config) // the files the plan has just read
		if lerr != nil {
			err = errors.Join(err, lerr)
		}
		printPlanSummary(stdout, o, now != "", inputs, planned)
		printInputScans(stdout, planned.InputScans(), planned.Estimates != nil)
		printPlan(stdout, steps, planned.Estimates)
		printWriteBack(stdout, planned)
	}
	if err != nil {
		printError(stderr, "plan", err)
		return exit.Code(err)
	}
	return exit.OK
}

// printPlanSummary prints, before the SQL, what a run for D would read
// and write and how many steps it takes.
func printPlanSummary(w io.Writer, o jobs.RunOptions, nowGiven bool, inputs []jobs.InputListing, planned jobs.Planned) {
	phases := planned.Phases
	clock := "the clock: pass --now for a plan that prints the same each time"
	if nowGiven {
		clock = "--now"
	}
	fmt.Fprintf(w, "-- optout plan for %s on engine %s, now %s (%s)\n", o.Date.Format(time.DateOnly), o.Config.Engine, o.Now.Format(time.RFC3339), clock)
	var files int
	var bytes int64
	for _, in := range inputs {
		files += len(in.Files)
		bytes += in.Bytes
	}
	fmt.Fprintf(w, "--\n-- inputs: %d, %d files, %d bytes\n", len(inputs), files, bytes)
	for _, in := range inputs {
		if in.Table != "" {
			fmt.Fprintf(w, "--   %-14s %-24s table %s\n", in.Kind, in.Name, in.Table)
			continue
		}
		fmt.Fprintf(w, "--   %-14s %-24s %s, %d bytes\n", in.Kind, in.Name, plural(len(in.Files), "file"), in.Bytes)
	}
	where := planned.Where
	var outputs []string
	for _, s := range phases.Transform {
		if s.Kind != transforms.Output {
			continue
		}
		if s.PerDate {
			outputs = append(outputs, s.Table+"/dt="+o.Date.Format(time.DateOnly))
		} else {
			outputs = append(outputs, s.Table)
		}
	}
	fmt.Fprintf(w, "--\n-- outputs: %d, in %s (and the runs row)\n", len(outputs), where)
	for _, out := range outputs {
		fmt.Fprintf(w, "--   %s\n", out)
	}
	if planned.WriteBackTable != "" {
		fmt.Fprintf(w, "-- then the flags written back onto table %s (write_back: true; at the end of the plan)\n", planned.WriteBackTable)
	}
	fmt.Fprintf(w, "--\n-- steps: %d, %d that read and check the inputs, then %d that compute and write the outputs\n",
		len(phases.Validate)+len(phases.Transform), len(phases.Validate), len(phases.Transform))
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// onDemandPerTiB is BigQuery's on-demand price per TiB billed (US, 2026),
// for the plan's rough cost line.
const onDemandPerTiB = 6.25

// printInputScans prints, per input, the statements that read it and, on
// BigQuery, the bytes each would bill: an input read by many statements
// is billed as many times. A step that reads an input's copy is estimated
// at 0 by its dry run (the plan's copy is empty); in a run it bills up to
// the copy's bytes, which bound the input's total.
func printInputScans(w io.Writer, scans []jobs.InputScan, billed bool) {
	if len(scans) == 0 {
		return
	}
	if billed {
		fmt.Fprintln(w, "--\n-- input scans: the statements that read each input, with each query's dry-run bytes (the small tables it joins included);")
		fmt.Fprintln(w, "-- a step that reads the input's copy shows 0 (the plan's copy is empty) and bills about the table's bytes in a run (a little more: the copy adds _file and _row)")
	} else {
		fmt.Fprintln(w, "--\n-- input scans: the statements that read each input")
	}
	for _, s := range scans {
		reads := make([]string, len(s.Reads))
		var copyBytes, most int64
		for _, r := range s.Reads {
			if r.Copies != "" {
				copyBytes = r.Bytes
			}
		}
		for i, r := range s.Reads {
			reads[i] = r.Step
			if r.Copies != "" {
				reads[i] += " (the copy)"
			}
			if billed {
				reads[i] += fmt.Sprintf(" %d bytes", r.Bytes)
			}
			most += max(r.Bytes, copyBytes)
		}
		bound := ""
		if billed {
			bound = fmt.Sprintf(", about %d bytes in a run", most)
		}
		fmt.Fprintf(w, "--   %s: %s%s: %s\n", s.Input, plural(len(s.Reads), "statement"), bound, strings.Join(reads, ", "))
	}
}

// printWriteBack prints the statements that write the flags onto the
// customers table after the publish: they change a table of the
// warehouse, so a plan shows them too.
func printWriteBack(w io.Writer, planned jobs.Planned) {
	if len(planned.WriteBack) == 0 {
		return
	}
	fmt.Fprintf(w, "\n-- after the publish: the write-back onto table %s, in one transaction on DuckDB (BigQuery: the ALTER, then the UPDATE);\n", planned.WriteBackTable)
	fmt.Fprintln(w, "-- skipped when a later date has already run, whose newer flags the table keeps")
	for _, s := range planned.WriteBack {
		fmt.Fprintf(w, "\n-- %s\n", s.Name)
		printStepSQL(w, s)
	}
}

// printStepSQL prints a step's parameters, if any, then its SQL.
func printStepSQL(w io.Writer, s transforms.Step) {
	if len(s.Args) > 0 {
		shown := make([]string, len(s.Args))
		for j, a := range s.Args {
			v := fmt.Sprint(a)
			if t, ok := a.(time.Time); ok {
				v = t.Format(time.RFC3339)
			}
			if len(v) > 60 {
				v = fmt.Sprintf("<%d characters>", len(v))
			}
			shown[j] = fmt.Sprintf("$%d=%s", j+1, v)
		}
		fmt.Fprintf(w, "-- parameters: %s\n", strings.Join(shown, " "))
	}
	fmt.Fprintln(w, strings.TrimSuffix(strings.TrimSpace(s.SQL), ";")+";")
}

// printPlan prints each step's SQL and, on BigQuery, its dry-run estimate.
func printPlan(w io.Writer, steps []transforms.Step, estimates []engine.Estimate) {
	bytes := map[string]int64{}
	var total int64
	for _, e := range estimates {
		bytes[e.Step] += e.Bytes
		total += e.Bytes
	}
	inPlan := map[string]bool{}
	for _, s := range steps {
		inPlan[s.Name] = true
	}
	if len(estimates) > 0 {
		fmt.Fprintln(w, "-- dry runs: bytes each query would bill (BigQuery's 10 MB minimum per table aside)")
		for _, e := range estimates {
			if !inPlan[e.Step] {
				fmt.Fprintf(w, "-- %s: %d bytes (copies an input or earlier output into the scratch dataset)\n", e.Step, e.Bytes)
			}
		}
	}
	for i, s := range steps {
		target := ""
		if s.Table != "" {
			target = " -> " + s.Table
		}
		fmt.Fprintf(w, "\n-- step %d: %s (%s%s)\n", i+1, s.Name, s.Kind, target)
		if n, ok := bytes[s.Name]; ok {
			fmt.Fprintf(w, "-- dry run: %d bytes\n", n)
		}
		printStepSQL(w, s)
	}
	if len(estimates) > 0 {
		fmt.Fprintf(w, "\n-- total: %d bytes in %d queries, about $%.2f on demand at $%.2f per TiB; publishing copies the staged outputs once more\n",
			total, len(estimates), float64(total)/(1<<40)*onDemandPerTiB, onDemandPerTiB)
	}
}

func explainCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var date time.Time
	var hasDate, asJSON bool
	var email, phone, customerID, requestID string
	o, code, ok := setup("explain", args, stdout, stderr, func(fs *flag.FlagSet) {
		dateFlag(fs, "date", "the date as of which to explain, `YYYY-MM-DD` (required)", &date, &hasDate)
		fs.StringVar(&email, "email", "", "the person's email `address` (one of --email, --phone, --customer-id, --request-id)")
		fs.StringVar(&phone, "phone", "", "the person's phone `number` (one of --email, --phone, --customer-id, --request-id)")
		fs.StringVar(&customerID, "customer-id", "", "the person's `ID` in the customers input's customer_id (one of --email, --phone, --customer-id, --request-id)")
		fs.StringVar(&requestID, "request-id", "", "a request's `ID`: the request's life instead of a person's (one of --email, --phone, --customer-id, --request-id)")
		fs.BoolVar(&asJSON, "json", false, "print JSON instead of text")
	})
	if !ok {
		return code
	}
	var kind, value string
	n := 0
	for k, v := range map[string]string{"email": email, "phone": phone, "customer_id": customerID, "request_id": requestID} {
		if v != "" {
			kind, value = k, v
			n++
		}
	}
	if !hasDate || n != 1 {
		fmt.Fprintln(stderr, "optout explain: give --date YYYY-MM-DD and exactly one of --email, --phone, --customer-id, --request-id")
		return exit.Usage
	}
	o.Date = date
	var ex any
	var err error
	if kind == "request_id" {
		ex, err = jobs.ExplainRequest(ctx, o, value)
	} else {
		ex, err = jobs.Explain(ctx, o, kind, value)
	}
	if err != nil {
		printError(stderr, "explain", err)
		return exit.Code(err)
	}
	if asJSON {
		b, _ := json.MarshalIndent(ex, "", "  ")
		fmt.Fprintln(stdout, string(b))
		return exit.OK
	}
	switch ex := ex.(type) {
	case jobs.Explanation:
		printPerson(stdout, ex, kind, date)
	case jobs.RequestExplanation:
		printRequest(stdout, ex, date, o.Config.Timezone)
	}
	return exit.OK
}

// printPerson prints the verdict, then the rows it was drawn from.
func printPerson(w io.Writer, ex jobs.Explanation, kind string, date time.Time) {
	fmt.Fprintln(w, ex.Verdict)
	fmt.Fprintf(w, "\noptout explain: the %s given, as of %s\n", kind, date.Format(time.DateOnly))
	section(w, "keys derived from it", ex.Keys, "kind", "value")
	section(w, "customers matched", ex.Customers, "customer_id", "through")
	section(w, "counted requests", ex.Requests, "request_id", "received_at", "request_type", "categories", "status", "source", "via")
	section(w, "requests on its keys not counted", ex.Uncounted, "request_id", "received_at", "inputs", "not_counted_because")
	section(w, "state per category", ex.State, "category", "state", "deciding_request_id", "opt_out_date", "since_request_id")
	section(w, "export rows carrying its keys", ex.Exports, "export", "row", "decision", "row_state")
}

// printRequest prints the verdict, then the request's life, rows and
// notifications.
func printRequest(w io.Writer, ex jobs.RequestExplanation, date time.Time, tz string) {
	fmt.Fprintln(w, ex.Verdict)
	if ex.Life == nil {
		return
	}
	l := ex.Life
	fmt.Fprintf(w, "\noptout explain: request %v, as of %s (days in %s)\n", l["request_id"], date.Format(time.DateOnly), tz)
	fmt.Fprintf(w, "  received        %s: %s of %s, status %s, source %s, state %s\n", cell(l["received_at"]),
		cell(l["request_type"]), cell(l["categories"]), cell(l["status"]), cell(l["source"]), cell(l["state"]))
	counted := "yes"
	if l["counted"] != true {
		counted = "no: " + cell(l["not_counted_because"])
	}
	fmt.Fprintf(w, "  counted         %s\n", counted)
	enforced := "no"
	switch {
	case l["first_enforced_date"] != nil:
		enforced = fmt.Sprintf("%s (the run at %s)", cell(l["first_enforced_date"]), cell(l["first_enforced_at"]))
	case l["enforced_by_next_run"] == true:
		enforced = "not yet: no published run has counted it; a run for " + date.Format(time.DateOnly) + " would"
	}
	fmt.Fprintf(w, "  first enforced  %s\n", enforced)
	fmt.Fprintf(w, "  deadline        %s (%s business days)\n", cell(l["deadline"]), cell(l["sla_business_days"]))
	fmt.Fprintf(w, "  SLA status      %s (business days taken: %s)\n", cell(l["sla_status"]), cell(l["business_days"]))
	fmt.Fprintf(w, "  customers       %s matched\n", cell(l["matched_customers"]))
	section(w, "rows of the request", ex.Rows, "input", "row", "received_at", "updated_at", "request_type", "status", "outcome")
	section(w, "third parties notified", ex.Notified, "export", "destination", "export_dt", "notified_by_run_for")
}

func section(w io.Writer, title string, rows []engine.Row, cols ...string) {
	fmt.Fprintf(w, "\n%s (%d)\n", title, len(rows))
	if len(rows) == 0 {
		fmt.Fprintln(w, "  none")
		return
	}
	for _, r := range rows {
		parts := make([]string, 0, len(cols))
		for _, c := range cols {
			parts = append(parts, c+"="+cell(r[c]))
		}
		fmt.Fprintln(w, "  "+strings.Join(parts, "  "))
	}
}

// cell is one value as explain prints it: times in UTC to the second, "-"
// for none.
func cell(v any) string {
	if t, ok := v.(time.Time); ok {
		return t.UTC().Format("2006-01-02 15:04:05Z")
	}
	if v == nil {
		return "-"
	}
	return fmt.Sprint(v)
}

func backfillCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var from, to time.Time
	var hasFrom, hasTo, force, acceptDropped bool
	var now string
	o, code, ok := setup("backfill", args, stdout, stderr, func(fs *flag.FlagSet) {
		dateFlag(fs, "from", "the first date to run, `YYYY-MM-DD` (required)", &from, &hasFrom)
		dateFlag(fs, "to", "the last date to run, `YYYY-MM-DD` (required)", &to, &hasTo)
		fs.BoolVar(&force, "force", false, "rerun dates that already have a successful run")
		fs.StringVar(&now, "now", "", "take every run's wall-clock start to be this `RFC3339` time (default: the clock)")
		fs.BoolVar(&acceptDropped, "accept-dropped-columns", false, acceptDroppedUsage)
	})
	if !ok {
		return code
	}
	if !hasFrom || !hasTo {
		fmt.Fprintln(stderr, "optout backfill: --from and --to are required: the first and last dates to run, YYYY-MM-DD")
		return exit.Usage
	}
	if now != "" {
		t, err := parseNow(now)
		if err != nil {
			printError(stderr, "backfill", err)
			return exit.Usage
		}
		o.Now = t
	}
	o.AcceptDroppedColumns = acceptDropped
	bo := jobs.BackfillOptions{RunOptions: o, From: from, To: to, Force: force}
	if isTerminal(stdout) {
		var bar *progressbar.ProgressBar
		var date string
		bo.OnDate = func(done, total int, d string) {
			if bar == nil {
				bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(stdout), progressbar.OptionShowCount(),
					progressbar.OptionSetPredictTime(true), progressbar.OptionSetWidth(30))
			}
			date = d
			_ = bar.Set(done)
			bar.Describe(date)
		}
		bo.OnStep = func(step string, k, n int) { bar.Describe(fmt.Sprintf("%s step %d of %d: %s", date, k, n, step)) }
	}
	sum, err := jobs.Backfill(ctx, bo)
	if err != nil {
		o.Log.Error("backfill failed", "error", redact.String(err.Error()), "exit_code", exit.Code(err))
	}
	if isTerminal(stdout) {
		fmt.Fprintf(stdout, "\nbackfill %s..%s: %d run, %d skipped", sum.From, sum.To, len(sum.Done), len(sum.Skipped))
		if sum.Failed != "" {
			fmt.Fprintf(stdout, ", stopped at %s", sum.Failed)
		}
		fmt.Fprintf(stdout, "; %d steps executed, %d reused from earlier dates", sum.StepsExecuted, sum.StepsReused)
		fmt.Fprintln(stdout)
	}
	sort.Strings(sum.Done)
	line, _ := json.Marshal(sum)
	fmt.Fprintln(stdout, string(line))
	return exit.Code(err)
}

func genCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	out := fs.String("out", "", "write data/ and optout.yaml into `DIR` (required; a folder that has neither: gen replaces nothing)")
	var s gen.Sizes
	fs.Int64Var(&s.Customers, "customers", 0, "generate `N` customers")
	fs.Int64Var(&s.Requests, "requests", 0, "generate `N` requests")
	fs.Int64Var(&s.ExportRows, "export-rows", 0, "put `N` rows in each of the two exports")
	fs.Int64Var(&s.Seed, "seed", 1, "the seed `S`: the same seed gives the same files")
	if err := parseFlags(fs, args, stdout); err != nil {
		if errors.Is(err, errHelpShown) {
			return exit.OK
		}
		printError(stderr, "gen", err)
		return exit.Usage
	}
	if *out == "" {
		fmt.Fprintln(stderr, "optout gen: --out is required: the folder to write the data set into")
		return exit.Usage
	}
	start := time.Now()
	if err := gen.Write(ctx, *out, s); err != nil {
		printError(stderr, "gen", err)
		return exit.Usage
	}
	fmt.Fprintf(stdout, "generated %d customers, %d requests, 2 × %d export rows in %s under %s (run: optout run --config %s --date 2026-11-21)\n",
		s.Customers, s.Requests, s.ExportRows, time.Since(start).Round(time.Millisecond), *out, filepath.Join(*out, "optout.yaml"))
	return exit.OK
}
