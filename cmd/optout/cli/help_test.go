package cli

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// Help asked for goes to stdout with exit 0 (so that `optout run --help |
// less` shows it); no command at all is a usage error on stderr.
func TestHelpOnStdout(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		code, so, se := run(t, args...)
		if code != 0 || so != usage || se != "" {
			t.Errorf("optout %s: exit %d, stdout %q, stderr %q; want exit 0 and the usage on stdout only", args[0], code, so, se)
		}
	}
	code, so, se := run(t)
	if code != 2 || so != "" || se != usage {
		t.Errorf("optout: exit %d, stdout %q; want exit 2 and the usage on stderr", code, so)
	}
}

// Every command's help, however asked for, is on stdout with exit 0 and
// has a description, each flag with its default, and an example that
// uses only flags the command defines.
func TestCommandHelp(t *testing.T) {
	var inUsage []string
	for _, l := range strings.Split(usage, "\n") {
		if f := strings.Fields(l); strings.HasPrefix(l, "  optout ") && !strings.HasPrefix(f[1], "-") {
			inUsage = append(inUsage, f[1])
		}
	}
	sort.Strings(inUsage)
	if got := strings.Join(commandNames(), " "); got != strings.Join(inUsage, " ") {
		t.Fatalf("commands with help: %s; commands in the usage text: %s", got, strings.Join(inUsage, " "))
	}
	defined := regexp.MustCompile(`(?m)^  --([a-z-]+)`)
	for _, cmd := range commandNames() {
		for _, args := range [][]string{{cmd, "--help"}, {cmd, "-h"}, {"help", cmd}} {
			code, so, se := run(t, args...)
			if code != 0 || se != "" {
				t.Errorf("optout %s: exit %d, stderr %q; want exit 0, nothing on stderr", strings.Join(args, " "), code, se)
				continue
			}
			for _, want := range []string{"optout " + cmd + ": " + about[cmd].summary + ".\n", "\nUsage:\n  " + usageLine(cmd) + "\n",
				"\nFlags:\n", "\nExample:\n  " + about[cmd].example + "\n"} {
				if !strings.Contains(so, want) {
					t.Errorf("optout %s prints no %q:\n%s", strings.Join(args, " "), want, so)
				}
			}
			flags := map[string]bool{}
			for _, m := range defined.FindAllStringSubmatch(so, -1) {
				flags[m[1]] = true
			}
			for _, m := range regexp.MustCompile(`--([a-z-]+)`).FindAllStringSubmatch(about[cmd].example, -1) {
				if !flags[m[1]] {
					t.Errorf("the example of %s uses --%s, which it does not define", cmd, m[1])
				}
			}
		}
	}
	_, so, _ := run(t, "run", "--help")
	for _, want := range []string{"  --log-format text|json\n        log format: text|json (default text)\n",
		"  --date YYYY-MM-DD\n        the logical date D, YYYY-MM-DD (required)\n", "  --provisional\n"} {
		if !strings.Contains(so, want) {
			t.Errorf("optout run --help lacks %q:\n%s", want, so)
		}
	}
	if _, so, _ := run(t, "gen", "--help"); !strings.Contains(so, "(default 1)") {
		t.Errorf("optout gen --help does not show --seed's default:\n%s", so)
	}
}

// A flag given twice is exit 2, whichever command: the flag package kept
// the last, and a run of `--date 2026-11-21 --date 2026-11-20` published
// 2026-11-20 with exit 0.
func TestFlagGivenTwiceIsRefused(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--config", "x.yaml", "--date", "2026-11-21", "--date", "2026-11-20"}, "--date is given twice"},
		{[]string{"backfill", "--config", "x.yaml", "--from", "2026-11-01", "--to", "2026-11-02", "--force", "--force"}, "--force is given twice"},
		{[]string{"explain", "--config", "x.yaml", "--config", "y.yaml", "--date", "2026-11-21", "--email", "a@b.co"}, "--config is given twice"},
	} {
		if code, _, se := run(t, c.args...); code != 2 || !strings.Contains(se, c.want) {
			t.Errorf("optout %s: exit %d, stderr %q; want exit 2 and %q", strings.Join(c.args, " "), code, se, c.want)
		}
	}
}

// A flag a command does not define is exit 2 naming the closest ones it
// does; run still ends its stdout with the JSON summary.
func TestUnknownFlagSuggestsClosest(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--config", "x.yaml", "--dat", "2026-11-21"}, "unknown flag --dat; did you mean --date?"},
		{[]string{"validate", "--confg", "x.yaml"}, "unknown flag --confg; did you mean --config?"},
		{[]string{"backfill", "--config", "x.yaml", "--form", "2026-11-01"}, "unknown flag --form; did you mean --from?"},
		{[]string{"run", "--log", "debug"}, "unknown flag --log; did you mean --log-format or --log-level?"},
		{[]string{"explain", "--customerid", "C1"}, "unknown flag --customerid; did you mean --customer-id?"},
		{[]string{"gen", "--seeds", "3"}, "unknown flag --seeds; did you mean --seed?"},
		{[]string{"plan", "-nwo", "2026-11-22T00:00:00Z"}, "unknown flag --nwo; did you mean --now?"},
		{[]string{"rnu"}, `unknown command "rnu" (did you mean run?)`},
	} {
		code, so, se := run(t, c.args...)
		if code != 2 || !strings.Contains(se, c.want) {
			t.Errorf("optout %s: exit %d, stderr %q; want exit 2 and %q", strings.Join(c.args, " "), code, se, c.want)
		}
		if c.args[0] == "run" {
			var sum struct {
				ExitCode int `json:"exit_code"`
			}
			lines := strings.Split(strings.TrimSpace(so), "\n")
			if err := json.Unmarshal([]byte(lines[len(lines)-1]), &sum); err != nil || sum.ExitCode != 2 {
				t.Errorf("optout %s: the last stdout line is not the JSON summary with exit 2: %q", strings.Join(c.args, " "), so)
			}
		}
	}
	if _, _, se := run(t, "run", "--config", "x.yaml", "--zzzzzz"); !strings.Contains(se, "unknown flag --zzzzzz (") || strings.Contains(se, "did you mean") {
		t.Errorf("a flag near no defined one: %q; want no suggestion", se)
	}
}
