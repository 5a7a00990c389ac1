package transforms

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/optout-dev/optout/schemas"
)

// Safe CSV (SPEC §7). A spreadsheet runs a cell that begins with one of
// FormulaChars (OWASP's CSV injection list), and an export's text comes
// from people: a name of =HYPERLINK(...) would run on the partner's
// machine when the list is opened. A guarded CSV export writes such a
// text cell with a leading apostrophe, which spreadsheets take as "text"
// and do not show. Every text column is guarded, the identifier columns
// too (a phone +14155550123 is written '+14155550123): the rule does not
// depend on what a column holds. Hashed identifiers are hex, never
// guarded. Numbers, dates and booleans are written in the engine's own
// form, which a spreadsheet reads as a value (-5 is the number -5).

// FormulaChars are the first characters that make a cell a formula.
const FormulaChars = "=+-@\t\r"

// GuardCell is the Go reference of FormulaGuard: the cell a guarded CSV
// export writes for text s.
func GuardCell(s string) string {
	if s != "" && strings.ContainsRune(FormulaChars, rune(s[0])) {
		return "'" + s
	}
	return s
}

// FormulaGuard renders text expression x as a guarded CSV export writes it.
func (d Dialect) FormulaGuard(x string) string {
	return "CASE WHEN " + d.startsFormula(x) + " THEN CONCAT(" + d.Literal("'") + ", " + x + ") ELSE " + x + " END"
}

// startsFormula renders whether text x begins with one of FormulaChars.
func (d Dialect) startsFormula(x string) string {
	chars := make([]string, 0, len(FormulaChars))
	for _, c := range FormulaChars {
		if d == DuckDB && !unicode.IsPrint(c) {
			// DuckDB would take a raw tab or CR in a literal; chr keeps
			// the plan (optout plan) readable. BigQuery's Literal escapes.
			chars = append(chars, fmt.Sprintf("chr(%d)", c))
			continue
		}
		chars = append(chars, d.Literal(string(c)))
	}
	return "SUBSTR(" + x + ", 1, 1) IN (" + strings.Join(chars, ", ") + ")"
}

// looksGuarded renders whether written text x may be a guarded cell: an
// apostrophe, then one of FormulaChars.
func (d Dialect) looksGuarded(x string) string {
	return "SUBSTR(" + x + ", 1, 1) = " + d.Literal("'") + " AND " + d.startsFormula("SUBSTR("+x+", 2)")
}

// formulaGuards renders the REPLACE items that guard every text column of
// export e but the skipped ones (its hashed identifier columns).
func (e Export) formulaGuards(d Dialect, skip map[string]bool) []string {
	var out []string
	for _, f := range e.Src.Fields {
		if skip[f.Name] || f.Name == "_file" || f.Name == "_row" {
			continue
		}
		if text, ok := d.csvText(f); ok {
			out = append(out, d.FormulaGuard(text)+" AS "+d.Ident(f.Name))
		}
	}
	return out
}

// csvText renders column f as the text a CSV export writes for it, when
// that text can hold what people typed: a text column, and on DuckDB
// every column of no family optout knows (schemas.Other), cast to the
// text DuckDB writes for it. That takes in the types that are text in
// another form — ENUM (a warehouse table's; an Arrow dictionary of
// strings), BLOB (a Parquet string without its UTF8 annotation, an Arrow
// binary), JSON and UNION, whose text is a member's own — and guards any
// other too rather than leave a type unread: a cell that cannot be a
// formula is written as it was. A number, date, boolean, list or struct
// has a form of its own, never a formula; BigQuery writes BYTES in
// base64, which may begin with + but whose alphabet spells no formula
// (no parentheses, quotes or separators), and JSON as JSON, a string in
// quotes.
func (d Dialect) csvText(f schemas.Field) (string, bool) {
	col := d.Ident(f.Name)
	switch {
	case f.Family == schemas.String:
		return col, true
	case d == DuckDB && f.Family == schemas.Other:
		return d.Cast(col, "text"), true
	}
	return "", false
}

// FormulaHeader returns the first column of export e whose name a
// spreadsheet would run as a formula in a guarded CSV's header row, and
// the character that makes it one; or "", "".
// Its cells are guarded; a name cannot be without renaming the column. A
// name is read after any byte order marks it begins with: the file's
// first bytes are its first column's name, and a spreadsheet takes a
// leading U+FEFF for the file's encoding, not for the cell.
func (e Export) FormulaHeader() (column, starts string) {
	for _, f := range e.Src.Fields {
		if name := strings.TrimLeft(f.Name, "\uFEFF"); name != GuardCell(name) {
			return f.Name, name[:1]
		}
	}
	return "", ""
}
