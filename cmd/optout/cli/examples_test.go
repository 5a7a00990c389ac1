package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

const airflowDAG = "../../../examples/airflow/optout_dag.py"

// The Airflow example, checked as far as it can be without Airflow (which
// cannot be installed here: no Python package index): it compiles; it
// passes optout the day its data interval starts in the config's timezone,
// never {{ ds }} (the day the run fires under Airflow 3's default cron
// timetable), on an explicit CronDataIntervalTimetable; it validates
// before it runs; it retries exit codes 1 and 4 only; it alerts on
// failure; and each of its imports resolves on Airflow 2.10's and 3's
// module layouts.
func TestAirflowExample(t *testing.T) {
	src, err := os.ReadFile(airflowDAG)
	if err != nil {
		t.Fatal(err)
	}
	code := pythonCode(string(src))

	t.Run("source", func(t *testing.T) {
		if !regexp.MustCompile(`(?m)^DATE = "\{\{ data_interval_start\.in_timezone\('" \+ TIMEZONE \+ "'\) \| ds \}\}"$`).MatchString(code) {
			t.Error(`no DATE = "{{ data_interval_start.in_timezone('" + TIMEZONE + "') | ds }}": the date passed to optout must come from the data interval`)
		}
		if m := regexp.MustCompile(`\{\{-?\s*(ds|ds_nodash|logical_date|execution_date)\b`).FindString(code); m != "" {
			t.Errorf("the DAG's code uses %s…}}: under Airflow 3's cron timetable that is the day the run fires, not the day it enforces", m)
		}
		m := regexp.MustCompile(`(?m)^RETRY_EXIT_CODES = \{([0-9, ]*)\}$`).FindStringSubmatch(code)
		if m == nil || strings.ReplaceAll(m[1], " ", "") != "1,4" {
			t.Errorf("RETRY_EXIT_CODES: %v, want {1, 4}", m)
		}
		if !strings.Contains(code, `schedule=CronDataIntervalTimetable("0 3 * * *", timezone=TIMEZONE)`) {
			t.Error("the schedule is not an explicit CronDataIntervalTimetable at 03:00 in TIMEZONE")
		}
	})

	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed: the Airflow example is checked only as text (.ci/run installs python3)")
	}
	t.Run("compiles", func(t *testing.T) {
		if out, err := exec.Command(python, "-m", "py_compile", airflowDAG).CombinedOutput(); err != nil {
			t.Fatalf("python3 -m py_compile %s: %v\n%s", airflowDAG, err, out)
		}
	})

	// The harness renders templates with jinja2 and pendulum when the
	// interpreter has both (Debian's python3-jinja2 and python3-pendulum).
	renders := python
	for _, p := range []string{python, "/usr/bin/python3"} {
		if exec.Command(p, "-c", "import jinja2, pendulum").Run() == nil {
			renders = p
			break
		}
	}
	for _, layout := range []string{"2.10", "3"} {
		t.Run("airflow "+layout, func(t *testing.T) {
			r := runAirflowHarness(t, renders, layout)
			want := map[string]string{"0": `returned {"status":"succeeded"}`, "1": "retried", "2": "failed, not retried", "3": "failed, not retried", "4": "retried", "5": "failed, not retried"}
			for c, w := range want {
				if r.Exit[c] != w {
					t.Errorf("optout exit %s: %q, want %q", c, r.Exit[c], w)
				}
			}
			if r.Argv != "run --config /etc/optout/optout.yaml --date 2026-11-21 --log-format json" {
				t.Errorf("optout was called with %q", r.Argv)
			}
			if !strings.HasPrefix(r.NoDate, "failed, not retried: no logical date") {
				t.Errorf("a run without a data interval: %q, want a failure that is not retried", r.NoDate)
			}
			if r.Schedule != "CronDataIntervalTimetable 0 3 * * * America/Los_Angeles" {
				t.Errorf("schedule %q", r.Schedule)
			}
			if !strings.Contains(r.Alert, "ALERT optout: task optout_run of DAG optout_nightly failed") {
				t.Errorf("the failure callback logged %q", r.Alert)
			}
			// validate, then run, then the newest-date check, the marker and the uploads.
			chain := []string{"optout_validate", "optout_run", "newest_date_only", "wait_date_complete", "upload_meta_audience"}
			for i := 0; i+1 < len(chain); i++ {
				if task, ok := r.Tasks[chain[i]]; !ok || !slices.Contains(task.Downstream, chain[i+1]) {
					t.Errorf("%s does not lead to %s: %+v", chain[i], chain[i+1], r.Tasks)
				}
			}
			for id, cmd := range map[string]string{"optout_validate": "validate", "optout_run": "run"} {
				if task := r.Tasks[id]; !task.CallsOptout || task.Command != cmd {
					t.Errorf("task %s: %+v, want the optout callable running %s", id, task, cmd)
				}
			}
			if r.Rendered == nil {
				t.Skip("no python3 with jinja2 and pendulum (Debian: python3-jinja2 python3-pendulum): templates not rendered")
			}
			for _, rendered := range []map[string]string{r.Rendered, r.RenderedLate} {
				for _, field := range []string{"optout_validate.date", "optout_run.date"} {
					if rendered[field] != "2026-11-21" {
						t.Errorf("%s renders %q, want 2026-11-21 (the day the data interval starts, in the config's timezone)", field, rendered[field])
					}
				}
				if got := rendered["wait_date_complete.op_args[0]"]; got != "/data/optout/complete/dt=2026-11-21/_SUCCESS" {
					t.Errorf("the sensor waits for %q", got)
				}
				for field, v := range rendered {
					if strings.Contains(v, "2026-11-22") {
						t.Errorf("%s renders %q: the day the run fires, not the date it enforces", field, v)
					}
				}
			}
		})
	}
}

// pythonCode is a Python source without its module docstring and comments
// (which may name {{ ds }} to explain why it is not used).
func pythonCode(src string) string {
	if strings.HasPrefix(src, `"""`) {
		if end := strings.Index(src[3:], `"""`); end >= 0 {
			src = src[end+6:]
		}
	}
	return regexp.MustCompile(`(?m)^\s*#.*$`).ReplaceAllString(src, "")
}

type harnessTask struct {
	Downstream  []string `json:"downstream"`
	Command     string   `json:"command"`
	CallsOptout bool     `json:"calls_optout"`
}

type harnessResult struct {
	Tasks        map[string]harnessTask `json:"tasks"`
	Schedule     string                 `json:"schedule"`
	Exit         map[string]string      `json:"exit"`
	Argv         string                 `json:"argv"`
	NoDate       string                 `json:"no_date"`
	Alert        string                 `json:"alert"`
	Rendered     map[string]string      `json:"rendered"`
	RenderedLate map[string]string      `json:"rendered_late"`
}

// runAirflowHarness loads the DAG under testdata/airflow_harness.py with
// Airflow's modules in the given version's layout, and a stand-in optout
// that prints a log line and a summary and exits $FAKE_EXIT.
func runAirflowHarness(t *testing.T, python, layout string) harnessResult {
	t.Helper()
	dir := t.TempDir()
	fake := filepath.Join(dir, "optout")
	script := "#!/bin/sh\necho \"$*\" > \"$FAKE_ARGV\"\necho '{\"level\":\"INFO\",\"msg\":\"published\"}' >&2\necho '{\"status\":\"succeeded\"}'\nexit \"$FAKE_EXIT\"\n"
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, "testdata/airflow_harness.py", airflowDAG, layout, fake)
	cmd.Env = append(os.Environ(), "FAKE_ARGV="+filepath.Join(dir, "argv"), "PYTHONDONTWRITEBYTECODE=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("the harness (%s, Airflow %s): %v\n%s", python, layout, err, stderr.String())
	}
	var r harnessResult
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("the harness printed %q: %v\n%s", out, err, stderr.String())
	}
	return r
}

// The crontab's line, run by sh as cron would (its \% unescaped) with a
// stand-in optout: optout gets yesterday's date in the config's timezone,
// and a failure prints the one line cron mails.
func TestCronExample(t *testing.T) {
	b, err := os.ReadFile("../../../examples/cron/crontab")
	if err != nil {
		t.Fatal(err)
	}
	var line string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "0 3 * * * ") {
			line = strings.TrimPrefix(l, "0 3 * * * ")
		}
	}
	if line == "" || !strings.Contains(string(b), "CRON_TZ=America/Los_Angeles\n") {
		t.Fatalf("no 03:00 line with CRON_TZ=America/Los_Angeles in the crontab:\n%s", b)
	}
	dir := t.TempDir()
	fake := filepath.Join(dir, "optout")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\necho \"$*\" > "+filepath.Join(dir, "argv")+"\nexit 3\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	line = strings.ReplaceAll(line, `\%`, "%")
	line = strings.ReplaceAll(line, "/opt/optout/bin/optout", fake)
	line = strings.ReplaceAll(line, "/var/log/optout.log", filepath.Join(dir, "log"))
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	yesterday := time.Now().In(la).AddDate(0, 0, -1).Format(time.DateOnly)
	out, err := exec.Command("sh", "-c", line).Output()
	if err != nil {
		t.Fatalf("sh -c %q: %v", line, err)
	}
	argv, _ := os.ReadFile(filepath.Join(dir, "argv"))
	if want := "run --config /etc/optout/optout.yaml --date " + yesterday + " --log-format json\n"; string(argv) != want {
		t.Errorf("optout got %q, want %q", argv, want)
	}
	if !strings.Contains(string(out), "failed with exit 3") {
		t.Errorf("a failing run printed %q for cron to mail, want the exit code", out)
	}
}
