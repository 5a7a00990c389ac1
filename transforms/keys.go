package transforms

import (
	"fmt"
	"slices"
	"strings"

	"github.com/optout-dev/optout/schemas"
)

// keyExprs returns, for one identifier column of kind k, the SQL expressions
// of the keys it yields (kind, value) — the SQL side of EmailKeys,
// PhoneKeys, HashKey, DeviceKey and IDKey. Hash keys derived from plain
// emails and phones are only needed when some input carries hashed
// identifiers.
func keyExprs(d Dialect, kind, col string, withHashes bool) [][2]string {
	c := d.Text(col)
	switch kind {
	case "email":
		out := [][2]string{{"email", "optout_email(" + c + ")"}}
		if withHashes {
			out = append(out,
				[2]string{"email_sha256", "optout_email_sha(" + c + ")"},
				[2]string{"email_sha256", "optout_email_folded_sha(" + c + ")"})
		}
		return out
	case "phone":
		out := [][2]string{{"phone", "optout_phone(" + c + ")"}}
		if withHashes {
			// Meta's form of the hash (the digits without '+') too, as
			// PhoneKeys says why.
			out = append(out,
				[2]string{"phone_sha256", d.SHA256("optout_phone(" + c + ")")},
				[2]string{"phone_sha256", d.SHA256("SUBSTR(optout_phone(" + c + "), 2)")})
		}
		return out
	case "email_sha256", "phone_sha256":
		return [][2]string{{kind, "optout_hash(" + c + ")"}}
	case "device_id":
		return [][2]string{{kind, "optout_device(" + c + ")"}}
	default:
		return [][2]string{{kind, "optout_id(" + c + ")"}}
	}
}

// KeyColumns maps identifier kinds to the SQL expressions of the columns
// holding them, in schemas.IdentifierKinds order.
type KeyColumns []struct{ Kind, Expr string }

// RowKeys are the keys of a row in two parts: Values computes each key's
// value as a column _optout_k<N> of the row's relation (From adds them),
// and List is the list of (kind, value) structs over those columns. No list
// nests a normalization function: inlined, that nesting overflowed the
// parser stack of the emulator's SQLite.
//
// Checks are one column per identifier column given, named
// InvalidColumn(kind): NULL when the row has no value there, 1 when the
// value yields no key (SPEC §4: dropped and counted), else 0. Summed per
// file they count the invalid identifiers and, per column, tell a messy
// column from a swapped or mistyped one (SPEC §7, max_invalid_key_ratio).
type RowKeys struct {
	Values, List, Checks string
	Kinds                []string // the kinds of the columns Checks covers
	// Cols are the key value columns Values adds, with the kind of key
	// each holds: a table that keeps them (customer_rows) can be probed
	// column by column, and List rebuilt over them where a list is needed.
	Cols []KeyColumn
	// Identity is one text value that tells rows apart by their keys: the
	// first 128 bits of the SHA-256 of the key values, each prefixed by its
	// length so that no two lists of values read alike, and - for a value
	// the row lacks. A table read in place has no row id (Source.InPlace),
	// and rows with the same keys have the same R(x), so they are decided
	// alike. Two key lists of a billion rows share an Identity with a chance
	// below 10⁻²⁰; their rows would then be decided over both lists' keys,
	// and a row so written that must not be fails the leak check, which
	// derives each written row's state from its own keys.
	Identity string
}

// KeyColumn is one key value column of RowKeys.
type KeyColumn struct{ Kind, Col string }

// Columns lists the key value columns, each followed by a comma, for a
// select list that keeps them.
func (k RowKeys) Columns() string {
	var b strings.Builder
	for _, c := range k.Cols {
		b.WriteString(c.Col + ", ")
	}
	return b.String()
}

// WithList is relation with the column keys added: the list of (kind,
// value) structs over the key value columns it keeps.
func (k RowKeys) WithList(relation string) string {
	return "(SELECT *, " + k.List + " AS keys FROM " + relation + ")"
}

// Col is the key value column of kind, or "" when there is none.
func (k RowKeys) Col(kind string) string {
	for _, c := range k.Cols {
		if c.Kind == kind {
			return c.Col
		}
	}
	return ""
}

// ColumnsExcept is Columns without the column of kind: a table that keeps
// that key under a name of its own (customer_rows' customer_id).
func (k RowKeys) ColumnsExcept(kind string) string {
	var b strings.Builder
	for _, c := range k.Cols {
		if c.Kind != kind {
			b.WriteString(c.Col + ", ")
		}
	}
	return b.String()
}

// named is k read from a table that keeps the value column of kind
// under the name col (customer_rows' customer_id).
func (k RowKeys) named(d Dialect, kind, col string) RowKeys {
	out := k
	out.Cols = slices.Clone(k.Cols)
	for i, c := range out.Cols {
		if c.Kind == kind {
			out.Cols[i].Col = col
		}
	}
	out.List, out.Values, out.Identity = keyList(d, out.Cols), "", identity(d, out.Cols)
	return out
}

// identity renders RowKeys.Identity over the key value columns cols.
func identity(d Dialect, cols []KeyColumn) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = "coalesce(" + d.Text("length("+c.Col+")") + " || ':' || " + c.Col + ", '-')"
	}
	return d.ShortHash(strings.Join(parts, " || ',' || "))
}

// keyList renders the list of (kind, value) structs of the value columns
// cols, without the NULL values.
func keyList(d Dialect, cols []KeyColumn) string {
	items := make([]string, len(cols))
	for i, c := range cols {
		items[i] = d.Struct("kind", d.KeyKind(c.Kind), "value", c.Col)
	}
	return d.ListFilter("["+strings.Join(items, ",\n      ")+"]", "k", "k.value IS NOT NULL")
}

// None renders the condition that a row has no key: every key value
// column NULL (the length of List is 0, without making the list).
func (k RowKeys) None() string {
	if len(k.Cols) == 0 {
		return "true"
	}
	parts := make([]string, len(k.Cols))
	for i, c := range k.Cols {
		parts[i] = c.Col + " IS NULL"
	}
	return "(" + strings.Join(parts, " AND ") + ")"
}

// InvalidColumn names the column of RowKeys.Checks for identifier kind k.
func InvalidColumn(kind string) string { return "_optout_bad_" + kind }

// From is relation with the key columns added.
func (k RowKeys) From(relation string) string {
	if k.Values == "" {
		return relation
	}
	return "(SELECT *, " + k.Values + " FROM " + relation + ")"
}

// CheckColumns lists the Checks columns, each followed by a comma, for a
// select list that carries them through.
func (k RowKeys) CheckColumns() string {
	var b strings.Builder
	for _, kind := range k.Kinds {
		b.WriteString(InvalidColumn(kind) + ", ")
	}
	return b.String()
}

// rowKeys renders the keys of the identifier columns cols.
func rowKeys(d Dialect, cols KeyColumns, withHashes bool) RowKeys {
	return buildRowKeys(d, cols, withHashes, false)
}

// writtenRowKeys renders the keys of the identifier cells of a written
// export row (the leak check, the notifications' history): those of each
// cell as written and, for a cell that may be guarded (looksGuarded), those
// of the text after its apostrophe. A value =x the guard wrote as '=x and
// a value '=x written as it came look alike in the file, so both readings
// count: a leak under either is found. A key both give is listed once, so
// the leak count counts each identifier once.
func writtenRowKeys(d Dialect, cols KeyColumns, withHashes bool) RowKeys {
	return buildRowKeys(d, cols, withHashes, true)
}

// writtenHashKeys renders the keys of the identifier cells of a written
// hashed export row (the leak check, the notifications' history): each
// cell as written, the destination's hash of its identifier, keyed by the
// identifier's hash family.
func writtenHashKeys(d Dialect, cols KeyColumns) RowKeys {
	values := make([]string, len(cols))
	keyCols := make([]KeyColumn, len(cols))
	for i, kc := range cols {
		keyCols[i] = KeyColumn{hashFamily(kc.Kind), fmt.Sprintf("_optout_k%d", i)}
		values[i] = d.Cast(kc.Expr, "text") + " AS " + keyCols[i].Col
	}
	if len(keyCols) == 0 {
		return RowKeys{List: d.EmptyList("keys")}
	}
	return RowKeys{Values: strings.Join(values, ",\n    "), List: keyList(d, keyCols), Cols: keyCols}
}

func buildRowKeys(d Dialect, cols KeyColumns, withHashes, unguard bool) RowKeys {
	var values, checks, kinds []string
	var keyCols []KeyColumn
	add := func(kind, expr string) string {
		col := fmt.Sprintf("_optout_k%d", len(values))
		values = append(values, expr+" AS "+col)
		keyCols = append(keyCols, KeyColumn{kind, col})
		return col
	}
	for _, kc := range cols {
		written := keyExprs(d, kc.Kind, kc.Expr, withHashes)
		for i, kv := range written {
			col := add(kv[0], kv[1])
			if i == 0 {
				checks = append(checks, fmt.Sprintf("optout_invalid(%s, %s) AS %s,", d.Text(kc.Expr), col, InvalidColumn(kc.Kind)))
				kinds = append(kinds, kc.Kind)
			}
		}
		if unguard {
			text := d.Text(kc.Expr)
			for i, kv := range keyExprs(d, kc.Kind, "SUBSTR("+text+", 2)", withHashes) {
				add(kv[0], "CASE WHEN "+d.looksGuarded(text)+" THEN NULLIF("+kv[1]+", "+written[i][1]+") END")
			}
		}
	}
	if len(keyCols) == 0 {
		return RowKeys{List: d.EmptyList("keys")}
	}
	return RowKeys{
		Values:   strings.Join(values, ",\n    "),
		List:     keyList(d, keyCols),
		Checks:   strings.Join(checks, "\n  "),
		Kinds:    kinds,
		Cols:     keyCols,
		Identity: identity(d, keyCols),
	}
}

// keyColumns picks the identifier columns a source has, among kinds.
func keyColumns(d Dialect, src Source, kinds []string) KeyColumns {
	var out KeyColumns
	for _, k := range schemas.IdentifierKinds {
		if !contains(kinds, k) {
			continue
		}
		if name, ok := src.Column(k); ok {
			out = append(out, struct{ Kind, Expr string }{k, d.Ident(name)})
		}
	}
	return out
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
