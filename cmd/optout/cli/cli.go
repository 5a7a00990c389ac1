// Package cli is optout's command tree: it parses flags, sets up logging,
// calls the jobs and maps their errors to exit codes.
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/internal/exit"
	"github.com/optout-dev/optout/internal/redact"
	"github.com/optout-dev/optout/jobs"
)

const usage = `optout enforces "Do Not Sell or Share" opt-outs across your data.

Usage:
  optout run       --config FILE --date YYYY-MM-DD [--now RFC3339] [--provisional] [--accept-dropped-columns]
  optout validate  --config FILE [--date YYYY-MM-DD] [--now RFC3339] [--accept-dropped-columns]   # read and check every input, write nothing
  optout report    --config FILE --date YYYY-MM-DD [--out FILE.html]      # the compliance dashboard of D (DuckDB or BigQuery)
  optout backfill  --config FILE --from YYYY-MM-DD --to YYYY-MM-DD [--force] [--now RFC3339] [--accept-dropped-columns]
  optout plan      --config FILE --date YYYY-MM-DD [--now RFC3339]        # inputs, outputs, then every step's SQL
  optout explain   --config FILE --date YYYY-MM-DD --email X | --phone X | --customer-id X | --request-id R [--json]
  optout gen       --out DIR --customers N --requests N --export-rows N [--seed S]   # synthetic data + config
  optout --version

Every command with --config also takes --log-format text|json and --log-level debug|info|warn|error.
Exit codes: 0 ok, 1 run failed, 2 usage/config error, 3 input validation failed, 4 lock held.
'optout COMMAND --help' (or 'optout help COMMAND') shows a command's flags, their defaults and an example.
`

// acceptDroppedUsage describes --accept-dropped-columns (run, validate,
// backfill).
const acceptDroppedUsage = "read inputs that have lost a column the latest published run read from them, or emptied a column it read values from (dropped or emptied on purpose); without it such an input fails the run, exit 3"

// Run executes the command line args and returns the exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage) // usage on error: no command given
		return exit.Usage
	}
	switch args[0] {
	case "-h", "--help", "help":
		if len(args) > 1 && args[0] == "help" { // optout help COMMAND
			return Run(ctx, []string{args[1], "--help"}, stdout, stderr)
		}
		fmt.Fprint(stdout, usage) // asked for: stdout, so that it pipes into less
		return exit.OK
	case "--version", "version":
		fmt.Fprintln(stdout, versionLine())
		return exit.OK
	case "run":
		return runCmd(ctx, args[1:], stdout, stderr, false)
	case "validate":
		return runCmd(ctx, args[1:], stdout, stderr, true)
	case "report":
		return reportCmd(ctx, args[1:], stdout, stderr)
	case "plan":
		return planCmd(ctx, args[1:], stdout, stderr)
	case "explain":
		return explainCmd(ctx, args[1:], stdout, stderr)
	case "backfill":
		return backfillCmd(ctx, args[1:], stdout, stderr)
	case "gen":
		return genCmd(ctx, args[1:], stdout, stderr)
	}
	hint := ""
	if near := closest(args[0], commandNames()); len(near) > 0 {
		hint = " (did you mean " + strings.Join(near, " or ") + "?)"
	}
	fmt.Fprintf(stderr, "optout: unknown command %s%s; run 'optout --help' for the list of commands\n", redact.String(strconv.Quote(args[0])), hint)
	return exit.Usage
}

// Version is the module version and VCS revision from the build info (the
// runs rows' version); "+modified" when the checkout had local changes.
func Version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := bi.Main.Version
	modified := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v += " " + s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if modified {
		v += "+modified"
	}
	return v
}

// versionLine is what optout --version prints: Version, and why a build
// without a revision has none.
func versionLine() string {
	v := Version()
	if !strings.Contains(v, " ") {
		v += " (no VCS revision: built outside a git checkout, or with -buildvcs=false)"
	}
	return "optout " + v
}

type common struct {
	fs        *flag.FlagSet
	config    string
	logFormat string
	logLevel  string
}

func newFlags(name string) *common {
	c := &common{fs: flag.NewFlagSet(name, flag.ContinueOnError)}
	c.fs.StringVar(&c.config, "config", "", "read the config from `FILE`, your optout.yaml (required)")
	c.fs.StringVar(&c.logFormat, "log-format", "text", "log format: `text|json`")
	c.fs.StringVar(&c.logLevel, "log-level", "info", "the least severe level logged: `debug|info|warn|error`")
	return c
}

// parse parses the command's flags (printing its help to stdout when
// asked: errHelpShown) and checks the common ones.
func (c *common) parse(args []string, stdout io.Writer) error {
	if err := parseFlags(c.fs, args, stdout); err != nil {
		return err
	}
	if c.config == "" {
		return errors.New("--config is required: the path of your optout.yaml")
	}
	if c.logFormat != "text" && c.logFormat != "json" {
		return fmt.Errorf("--log-format is %q; use text or json", c.logFormat)
	}
	return nil
}

func (c *common) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level is %q; use debug, info, warn or error", c.logLevel)
	}
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: redactErrors}
	if c.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return slog.New(slog.NewTextHandler(w, opts)), nil
}

// redactErrors passes every error logged as an attribute through the
// redactor, wherever it is logged: engine messages quote data values.
func redactErrors(_ []string, a slog.Attr) slog.Attr {
	if err, ok := a.Value.Any().(error); ok && err != nil {
		return slog.String(a.Key, redact.String(err.Error()))
	}
	return a
}

func parseDate(flagName, s string) (time.Time, error) {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s is %q; use the form YYYY-MM-DD, e.g. 2026-11-21", flagName, s)
	}
	return d, nil
}

func runCmd(ctx context.Context, args []string, stdout, stderr io.Writer, validate bool) int {
	name := "run"
	if validate {
		name = "validate"
	}
	c := newFlags(name)
	dateUsage := "the logical date D, `YYYY-MM-DD` (required)"
	if validate {
		dateUsage = "the logical date D, `YYYY-MM-DD` (default: today in the config's timezone)"
	}
	date := c.fs.String("date", "", dateUsage)
	now := c.fs.String("now", "", "take the run's wall-clock start to be this `RFC3339` time (default: the clock)")
	provisional := new(bool)
	if !validate {
		c.fs.BoolVar(provisional, "provisional", false, "run for a date that has not ended yet (an intraday run); a later run of the date replaces it")
	}
	acceptDropped := c.fs.Bool("accept-dropped-columns", false, acceptDroppedUsage)
	// Airflow reads the last stdout line whatever the exit code: a run
	// refused before it starts still ends with its JSON summary.
	refused := func(err error) int {
		printError(stderr, name, err)
		line, _ := json.Marshal(jobs.Summary{Date: *date, Status: "failed", ExitCode: exit.Code(err),
			Error: redact.String(err.Error()), ByCategory: map[string]int64{}})
		fmt.Fprintln(stdout, string(line))
		return exit.Code(err)
	}
	usageErr := func(err error) int { return refused(exit.With(exit.Usage, err)) }
	if err := c.parse(args, stdout); err != nil {
		if errors.Is(err, errHelpShown) {
			return exit.OK
		}
		return usageErr(err)
	}
	log, err := c.logger(stderr)
	if err != nil {
		return usageErr(err)
	}
	opts := jobs.RunOptions{Version: Version(), Log: log, Provisional: *provisional, AcceptDroppedColumns: *acceptDropped}
	switch {
	case *date != "":
		if opts.Date, err = parseDate("--date", *date); err != nil {
			return usageErr(err)
		}
	case validate: // today, set below once the config's timezone is known
	default:
		return usageErr(errors.New("--date is required: the logical date to enforce, YYYY-MM-DD"))
	}
	if *now != "" {
		if opts.Now, err = parseNow(*now); err != nil {
			return usageErr(err)
		}
	}
	if opts.Config, err = config.Load(c.config); err != nil {
		return refused(err)
	}
	if *date == "" {
		opts.Date = today(opts.Now, opts.Config.Location)
	}
	var bar *progressbar.ProgressBar
	if isTerminal(stdout) { // a person watches: the current step and how many are left
		opts.OnStep = func(step string, k, n int) {
			if bar == nil {
				bar = progressbar.NewOptions(n, progressbar.OptionSetWriter(stdout), progressbar.OptionShowCount(),
					progressbar.OptionSetWidth(30), progressbar.OptionClearOnFinish())
			}
			bar.Describe(fmt.Sprintf("step %d of %d: %s", k, n, step))
			_ = bar.Set(k - 1)
		}
	}
	var sum jobs.Summary
	if validate {
		sum, err = jobs.Validate(ctx, opts)
	} else {
		sum, err = jobs.Run(ctx, opts)
	}
	if bar != nil {
		_ = bar.Finish() // clears the bar, for the summary below
	}
	if err != nil {
		log.Error(name+" failed", "error", redact.String(err.Error()), "exit_code", exit.Code(err))
	}
	if !validate && isTerminal(stdout) {
		printHuman(stdout, sum)
	}
	line, _ := json.Marshal(sum)
	fmt.Fprintln(stdout, string(line))
	return exit.Code(err)
}

// parseNow reads --now. A time before 2000 is refused: the year 1 is the
// zero time, which the run took for "not given" and replaced with the
// clock, and no run's now is that old (the business calendar starts in
// 2000).
func parseNow(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--now is %q; use RFC3339, e.g. 2026-11-22T03:00:00Z", s)
	}
	if t.Year() < 2000 {
		return time.Time{}, fmt.Errorf("--now is %q, before 2000: give the time the run stands for", s)
	}
	return t, nil
}

// today is the date of now (the wall clock when zero) in the config's
// timezone, the zone whose days the logical dates are.
func today(now time.Time, loc *time.Location) time.Time {
	if now.IsZero() {
		now = time.Now()
	}
	y, m, d := now.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// isTerminal: w is a terminal, so a person reads it. A character device
// is not enough: cron's `> /dev/null` is one too.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func printHuman(w io.Writer, s jobs.Summary) {
	if s.Status != "succeeded" {
		fmt.Fprintf(w, "optout run for %s FAILED (exit %d): %s\n", s.Date, s.ExitCode, s.Error)
		return
	}
	fmt.Fprintf(w, "optout run for %s succeeded in %.1fs\n", s.Date, float64(s.DurationMS)/1000)
	fmt.Fprintf(w, "  customers:    %d\n", s.Customers)
	fmt.Fprintf(w, "  opted out:    %d\n", s.OptedOut)
	cats := make([]string, 0, len(s.ByCategory))
	for k := range s.ByCategory {
		cats = append(cats, k)
	}
	sort.Strings(cats)
	for _, k := range cats {
		fmt.Fprintf(w, "    %-20s %d\n", k, s.ByCategory[k])
	}
	fmt.Fprintf(w, "  requests:     %d counted\n", s.Requests)
	fmt.Fprintf(w, "  quarantined:  %d rows\n", s.Quarantined)
	fmt.Fprintf(w, "  outputs:      %s/{%s}\n", s.Output, strings.Join([]string{"customers_flagged", "optout_state", "flag_changes", "requests_ledger", "quarantine", "runs"}, ","))
}

func reportCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := newFlags("report")
	date := c.fs.String("date", "", "the date whose metrics to show, `YYYY-MM-DD` (required)")
	out := c.fs.String("out", "", "write the dashboard to `FILE` (default: <output>/report/dt=D/dashboard.html; without an output folder, as on engine bigquery, report/dt=D/dashboard.html in the working directory); it replaces only an earlier dashboard, never an input, the config or a published file")
	fail := func(err error) int {
		printError(stderr, "report", err)
		return exit.Code(err)
	}
	if err := c.parse(args, stdout); err != nil {
		if errors.Is(err, errHelpShown) {
			return exit.OK
		}
		return fail(exit.With(exit.Usage, err))
	}
	if *date == "" {
		return fail(exit.With(exit.Usage, errors.New("--date is required: the date whose metrics to show, YYYY-MM-DD")))
	}
	if _, err := parseDate("--date", *date); err != nil {
		return fail(exit.With(exit.Usage, err))
	}
	cfg, err := config.Load(c.config)
	if err != nil {
		return fail(err)
	}
	log, err := c.logger(stderr)
	if err != nil {
		return fail(exit.With(exit.Usage, err))
	}
	path, err := jobs.Report(ctx, jobs.ReportOptions{Config: cfg, Date: *date, Out: *out, Log: log})
	if err != nil {
		return fail(err)
	}
	fmt.Fprintf(stdout, "dashboard for %s written to %s\n", *date, path)
	return exit.OK
}

// printError prints a command's error on stderr, redacted: an error may
// quote an input value or a command-line argument, and no email or phone
// number is ever printed.
func printError(stderr io.Writer, cmd string, err error) {
	fmt.Fprintf(stderr, "optout %s: %s\n", cmd, redact.String(err.Error()))
}
