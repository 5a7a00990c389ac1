package transforms

import (
	"regexp"
	"testing"
)

func TestStatements(t *testing.T) {
	for _, tc := range []struct {
		d    Dialect
		sql  string
		want int
	}{
		{DuckDB, "", 0},
		{DuckDB, " \n-- nothing; at all\n/* ; */ ;\n;", 0},
		{DuckDB, "SELECT 1", 1},
		{DuckDB, "SELECT 1;", 1},
		{DuckDB, "SELECT 1;\nSELECT 2;\n-- a comment after the last;\n", 2},
		{DuckDB, "DROP TABLE IF EXISTS \"a;b\";\nDROP TABLE IF EXISTS x;\n", 2},
		{DuckDB, "SELECT 'it''s; one' AS \"x;y\"; SELECT 2", 2},
		{DuckDB, `SELECT '\'; SELECT 2`, 2}, // no backslash escape in DuckDB
		{DuckDB, "SELECT 1 /* a; b */ ; SELECT 2 -- c; d", 2},
		{BigQuery, `SELECT '\'; SELECT 2'`, 1},
		{BigQuery, `SELECT r'\'; SELECT 2`, 2}, // a raw string ends at its quote
		{BigQuery, "CREATE TEMP FUNCTION f(s STRING) RETURNS STRING LANGUAGE js AS r\"\"\"\n  var a = 1; return \"x;\" + s;\n\"\"\";\nSELECT `a;b` FROM t # why; not\n;", 2},
		{BigQuery, "SELECT '''a;\n'b'; c''' AS x; SELECT attr'", 2}, // attr: a name, then an unterminated string
		{BigQuery, "BEGIN TRANSACTION;\nDELETE FROM t WHERE TRUE;\nINSERT INTO t (a) SELECT a FROM s;\nCOMMIT TRANSACTION;", 4},
	} {
		if got := tc.d.Statements(tc.sql); got != tc.want {
			t.Errorf("%s: Statements(%q) = %d, want %d", tc.d, tc.sql, got, tc.want)
		}
	}
}

// The macros step holds one statement per definition in either dialect
// (BigQuery's includes optout_gpp, a JavaScript body full of semicolons).
func TestStatementsOfTheMacrosStep(t *testing.T) {
	create := regexp.MustCompile(`(?m)^CREATE `)
	for _, d := range []Dialect{DuckDB, BigQuery} {
		s, err := MacrosStep(d)
		if err != nil {
			t.Fatal(err)
		}
		want := len(create.FindAllString(s.SQL, -1))
		if got := d.Statements(s.SQL); got != want || want < 5 {
			t.Errorf("%s: the macros step counts %d statements; it holds %d definitions", d, got, want)
		}
	}
}
