package cli

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// Without a terminal a run logs where it is at the default level: the
// inputs checked with their files, the Transform phase starting, and each
// step's start as "k of n", one line each, k counting 1..n.
func TestProgressLoggedAtInfoWithoutTerminal(t *testing.T) {
	cfg, _ := demoConfig(t, nil)
	for _, cmd := range []string{"run", "validate"} {
		code, _, se := run(t, cmd, "--config", cfg, "--date", "2026-11-21", "--now", "2026-11-22T09:00:00Z")
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s", cmd, code, se)
		}
		if !strings.Contains(se, `level=INFO msg="inputs checked" run_id=`) || !strings.Contains(se, " inputs=12 files=24 ") ||
			!strings.Contains(se, `files_by_input="campaign: 3, customers: 1, `) {
			t.Errorf("%s: no INFO line of the inputs checked with their files:\n%s", cmd, se)
		}
		if got := strings.Contains(se, `level=INFO msg="transform started"`); got != (cmd == "run") {
			t.Errorf("%s: a transform started line: %v", cmd, got)
		}
		steps := regexp.MustCompile(`(?m)^time=\S+ level=INFO msg="step started" run_id=\S+ dt=2026-11-21 step=(\S+) k=(\d+) n=(\d+)$`).FindAllStringSubmatch(se, -1)
		if len(steps) < 20 {
			t.Fatalf("%s: %d INFO lines of steps:\n%s", cmd, len(steps), se)
		}
		n, _ := strconv.Atoi(steps[0][3])
		if len(steps) != n {
			t.Errorf("%s: %d step lines, each saying of %d", cmd, len(steps), n)
		}
		for i, m := range steps {
			if m[2] != strconv.Itoa(i+1) || m[3] != steps[0][3] {
				t.Errorf("%s: step line %d says step %s of %s", cmd, i+1, m[2], m[3])
			}
		}
		if last := steps[len(steps)-1][1]; cmd == "run" && last != "summary" {
			t.Errorf("run: the last step logged is %s", last)
		}
	}
}
