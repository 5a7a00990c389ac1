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
