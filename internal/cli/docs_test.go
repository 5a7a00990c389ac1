package cli

import (
	"database/sql"
	"os"
	"regexp"
	"strings"
	"testing"
)

// Every DuckDB query of docs/tables.md runs against the demo's outputs.
func TestDocsQueriesRun(t *testing.T) {
	doc, err := os.ReadFile("../../docs/tables.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```sql duckdb\n(.*?)```").FindAllStringSubmatch(string(doc), -1)
	if len(blocks) < 10 {
		t.Fatalf("only %d DuckDB queries in docs/tables.md", len(blocks))
	}
	cfg, out := demoConfig(t, nil)
	if code, _, se := run(t, append([]string{"run", "--config", cfg}, demoRun...)...); code != 0 {
		t.Fatalf("exit %d\n%s", code, se)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, b := range blocks {
		q := strings.ReplaceAll(b[1], "'OUT/", "'"+out+"/")
		rows, err := db.Query(q)
		if err != nil {
			t.Errorf("docs query fails: %v\n%s", err, b[1])
			continue
		}
		for rows.Next() {
		}
		if err := rows.Err(); err != nil {
			t.Errorf("docs query fails: %v\n%s", err, b[1])
		}
		rows.Close()
	}
}

// The README's command list is the usage text, and both name exactly the
// flags each command defines (besides the two log flags every command with
// --config has).
func TestUsageMatchesREADMEAndFlags(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)## Commands\n\n```\n(.*?)```").FindSubmatch(readme)
	if m == nil {
		t.Fatal("README.md has no ## Commands block")
	}
	var lines []string
	for _, l := range strings.Split(strings.Split(strings.SplitN(usage, "Usage:\n", 2)[1], "\n\n")[0], "\n") {
		lines = append(lines, strings.TrimPrefix(l, "  "))
	}
	if got, want := strings.TrimSpace(string(m[1])), strings.Join(lines, "\n"); got != want {
		t.Errorf("README.md's commands differ from the usage text:\nREADME:\n%s\nusage:\n%s", got, want)
	}
	flagName := regexp.MustCompile(`--([a-z-]+)`)
	defined := regexp.MustCompile(`(?m)^  -([a-z-]+)`)
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) < 2 || strings.HasPrefix(f[1], "--") {
			continue // optout --version
		}
		cmd := f[1]
		usageFlags := map[string]bool{}
		for _, n := range flagName.FindAllStringSubmatch(strings.SplitN(l, "#", 2)[0], -1) {
			usageFlags[n[1]] = true
		}
		_, _, help := run(t, cmd, "-h")
		helpFlags := map[string]bool{}
		for _, n := range defined.FindAllStringSubmatch(help, -1) {
			helpFlags[n[1]] = true
		}
		if len(helpFlags) == 0 {
			t.Errorf("optout %s -h lists no flags:\n%s", cmd, help)
		}
		for n := range usageFlags {
			if !helpFlags[n] {
				t.Errorf("the usage of %s names --%s, which it does not define", cmd, n)
			}
		}
		for n := range helpFlags {
			logFlag := (n == "log-format" || n == "log-level") && usageFlags["config"]
			if !usageFlags[n] && !logFlag {
				t.Errorf("optout %s defines --%s, which its usage line does not name", cmd, n)
			}
		}
	}
}
