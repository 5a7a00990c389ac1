package cli

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/optout-dev/optout/transforms"
)

// docQuery is one SQL statement shown in a document.
type docQuery struct{ doc, sql string }

// sqlBlock is a fenced SQL block: its info string ("sql", "sql duckdb",
// "sql bigquery") and its text.
var sqlBlock = regexp.MustCompile("(?s)```(sql[^\n]*)\n(.*?)```")

// docQueries returns the DuckDB statements of the ```sql and ```sql duckdb
// blocks of a document, and how many BigQuery blocks it shows (those need
// a BigQuery dataset). Any other SQL block, or a SELECT in inline code,
// is an error: every query a reader can copy must be one this test runs.
func docQueries(t *testing.T, doc string) (queries []docQuery, bigquery int) {
	t.Helper()
	b, err := os.ReadFile("../../../" + doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range sqlBlock.FindAllStringSubmatch(string(b), -1) {
		switch m[1] {
		case "sql", "sql duckdb":
			for _, q := range regexp.MustCompile(`;\s*(\n|$)`).Split(m[2], -1) {
				if strings.TrimSpace(q) != "" {
					queries = append(queries, docQuery{doc, q})
				}
			}
		case "sql bigquery":
			bigquery++
		default:
			t.Errorf("%s: a ```%s block: tag it sql duckdb (run by this test) or sql bigquery", doc, m[1])
		}
	}
	for _, m := range regexp.MustCompile("`((?i:select|with) [^`]*)`").FindAllStringSubmatch(sqlBlock.ReplaceAllString(string(b), ""), -1) {
		t.Errorf("%s: the query `%s` is inline: put it in a ```sql block, so that this test runs it", doc, m[1])
	}
	return queries, bigquery
}

// mayBeEmpty are the documented queries that can rightly return no row on
// the demo, and why.
var mayBeEmpty = map[string]string{
	"sla_status = 'open_breached'": "a first run enforces every request it counts, so none is open",
	"third_party_notifications":    "a first run has no earlier exports to notify about",
	"requests_ledger_removed":      "the demo sets no policy.retention_months, so its ledger removes nothing",
}

// Every DuckDB query of README.md and docs/tables.md runs, as written, on
// the demo's output moved to another folder, in DuckDB opened on the moved
// optout.duckdb from that folder (as the README says to open it), and
// returns rows unless mayBeEmpty says why it may not. docs/tables.md's
// OUT stands for the output folder.
func TestDocsQueriesRun(t *testing.T) {
	readme, bqReadme := docQueries(t, "README.md")
	tables, bqTables := docQueries(t, "docs/tables.md")
	if len(readme) < 3 || len(tables) < 12 {
		t.Fatalf("only %d DuckDB queries in README.md and %d in docs/tables.md", len(readme), len(tables))
	}
	t.Logf("not run here (they need BigQuery): %d BigQuery queries in README.md, %d in docs/tables.md", bqReadme, bqTables)
	cfg, out := demoConfig(t, nil)
	oldCatalog(t, out)
	if code, _, se := run(t, append([]string{"run", "--config", cfg}, demoRun...)...); code != 0 {
		t.Fatalf("exit %d\n%s", code, se)
	}
	moved := filepath.Join(t.TempDir(), "moved")
	if err := os.Rename(out, moved); err != nil {
		t.Fatal(err)
	}
	t.Chdir(moved)
	db, err := sql.Open("duckdb", "optout.duckdb?access_mode=read_only")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range append(readme, tables...) {
		text := strings.ReplaceAll(q.sql, "'OUT/", "'"+moved+"/")
		rows, err := db.Query(text)
		if err != nil {
			t.Errorf("%s: query fails: %v\n%s", q.doc, err, q.sql)
			continue
		}
		n := 0
		for rows.Next() {
			n++
		}
		if err := rows.Err(); err != nil {
			t.Errorf("%s: query fails: %v\n%s", q.doc, err, q.sql)
		}
		rows.Close()
		if n == 0 && !emptyAllowed(q.sql) {
			t.Errorf("%s: query returns no row on the demo:\n%s", q.doc, q.sql)
		}
	}

	// From another folder, after SET file_search_path as the README says.
	t.Chdir(t.TempDir())
	elsewhere, err := sql.Open("duckdb", filepath.Join(moved, "optout.duckdb")+"?access_mode=read_only")
	if err != nil {
		t.Fatal(err)
	}
	defer elsewhere.Close()
	conn, err := elsewhere.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var runs int
	if _, err := conn.ExecContext(context.Background(), "SET file_search_path = "+transforms.Literal(moved)); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRowContext(context.Background(), "SELECT count(*) FROM optout.runs").Scan(&runs); err != nil || runs != 1 {
		t.Errorf("the catalog opened from another folder with file_search_path set: %d runs, %v", runs, err)
	}
}

// oldCatalog writes the catalog as optout wrote it until 2026-12-03, its
// views in a schema optout, which made optout.<view> ambiguous: a run must
// leave no trace of it.
func oldCatalog(t *testing.T, out string) {
	t.Helper()
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", filepath.Join(out, "optout.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE SCHEMA optout; CREATE VIEW optout.optout.runs AS SELECT 1 AS stale"); err != nil {
		t.Fatal(err)
	}
}

// An output folder whose path holds a comma (which file_search_path would
// split) gets a catalog of absolute paths, which works from any folder.
func TestCatalogOfAnOutputWithACommaInItsPath(t *testing.T) {
	var out string
	cfg, _ := demoConfig(t, func(s string) string {
		line := regexp.MustCompile(`(?m)^output: (.*)$`)
		out = line.FindStringSubmatch(s)[1] + ",1"
		return line.ReplaceAllLiteralString(s, "output: "+out)
	})
	if code, _, se := run(t, append([]string{"run", "--config", cfg}, demoRun...)...); code != 0 {
		t.Fatalf("exit %d\n%s", code, se)
	}
	t.Chdir(t.TempDir())
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var runs int
	if _, err := db.Exec("ATTACH " + transforms.Literal(filepath.Join(out, "optout.duckdb")) + " AS optout (READ_ONLY)"); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow("SELECT count(*) FROM optout.runs").Scan(&runs); err != nil || runs != 1 {
		t.Errorf("the catalog of %s: %d runs, %v", out, runs, err)
	}
}

func emptyAllowed(sql string) bool {
	for s := range mayBeEmpty {
		if strings.Contains(sql, s) {
			return true
		}
	}
	return false
}

// The README's command list is the usage text, and both name exactly the
// flags each command defines (besides the two log flags every command with
// --config has).
func TestUsageMatchesREADMEAndFlags(t *testing.T) {
	readme, err := os.ReadFile("../../../README.md")
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
	defined := regexp.MustCompile(`(?m)^  --([a-z-]+)`)
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
		_, help, _ := run(t, cmd, "-h")
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

// repoFiles lists the repository's tracked files (relative to its root),
// or, outside a git checkout, every file but .git's and out's.
func repoFiles(t *testing.T) []string {
	t.Helper()
	if b, err := exec.Command("git", "-C", "../../..", "ls-files", "-z").Output(); err == nil {
		return strings.Split(strings.TrimSuffix(string(b), "\x00"), "\x00")
	}
	var files []string
	err := filepath.WalkDir("../../..", func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel("../../..", p)
		if d.IsDir() && (rel == ".git" || rel == "out") {
			return filepath.SkipDir
		}
		if !d.IsDir() {
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// Nothing in the repository points outside it: no file but the test data
// names the specification folder a clone does not have (the needles are
// built here so that this file does not name it either), and every
// relative link of a Markdown file reaches a file, and a heading, that
// exist.
func TestNothingPointsOutsideTheRepo(t *testing.T) {
	needles := []string{".." + "/shared", "shared" + "/SPEC", "/work" + "/shared", "SPEC" + ".md"}
	files := repoFiles(t)
	if len(files) < 100 || !slices.Contains(files, "README.md") {
		t.Fatalf("found only %d files", len(files))
	}
	link := regexp.MustCompile(`\]\(([^)\s]+)\)`)
	for _, f := range files {
		if strings.HasPrefix(f, "testdata/") {
			continue
		}
		b, err := os.ReadFile(filepath.Join("../../..", f))
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue // deleted in the working tree
			}
			t.Fatal(err)
		}
		for _, n := range needles {
			if i := bytes.Index(b, []byte(n)); i >= 0 {
				line := bytes.Count(b[:i], []byte("\n")) + 1
				t.Errorf("%s:%d mentions %s, which is outside the repository: point to docs/semantics.md or docs/config.md", f, line, n)
			}
		}
		if !strings.HasSuffix(f, ".md") {
			continue
		}
		for _, m := range link.FindAllStringSubmatch(string(b), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			path, anchor, _ := strings.Cut(target, "#")
			doc := filepath.Join(filepath.Dir(f), path)
			if path == "" {
				doc = f
			}
			if _, err := os.Stat(filepath.Join("../../..", doc)); err != nil {
				t.Errorf("%s links to %s, which does not exist", f, target)
				continue
			}
			if anchor == "" {
				continue
			}
			if text, err := os.ReadFile(filepath.Join("../../..", doc)); err != nil || !slices.Contains(headingAnchors(string(text)), anchor) {
				t.Errorf("%s links to %s: %s has no heading with that anchor", f, target, doc)
			}
		}
	}
}

// headingAnchors are the anchors GitHub gives a Markdown file's headings:
// lowercased, punctuation dropped, spaces as hyphens.
func headingAnchors(md string) []string {
	var anchors []string
	drop := regexp.MustCompile(`[^\p{L}\p{N} _-]`)
	for _, m := range regexp.MustCompile(`(?m)^#{1,6} (.+)$`).FindAllStringSubmatch(md, -1) {
		a := drop.ReplaceAllString(strings.ToLower(strings.TrimSpace(m[1])), "")
		anchors = append(anchors, strings.ReplaceAll(a, " ", "-"))
	}
	return anchors
}

// The examples of docs/semantics.md name the case folders that hold them
// as tests; each name must be one.
func TestSemanticsExamplesAreCases(t *testing.T) {
	doc, err := os.ReadFile("../../../docs/semantics.md")
	if err != nil {
		t.Fatal(err)
	}
	refs := regexp.MustCompile("`([0-9]{2})(_[a-z0-9_]+)?`").FindAllStringSubmatch(string(doc), -1)
	if len(refs) < 20 {
		t.Fatalf("docs/semantics.md names only %d cases", len(refs))
	}
	for _, r := range refs {
		pattern := filepath.Join("../../../testdata/cases", r[1]+r[2])
		if r[2] == "" {
			pattern += "_*"
		}
		if m, _ := filepath.Glob(pattern); len(m) != 1 {
			t.Errorf("docs/semantics.md names case %s%s; testdata/cases has %d such folders", r[1], r[2], len(m))
		}
	}
}
