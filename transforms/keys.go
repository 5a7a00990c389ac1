package transforms

import (
	"fmt"
	"strings"

	"github.com/optout-dev/optout/schemas"
)

// keyExprs returns, for one identifier column of kind k, the SQL expressions
// of the keys it yields (kind, value) — the SQL side of EmailKeys,
// PhoneKeys, HashKey and IDKey. Hash keys derived from plain emails and
// phones are only needed when some input carries hashed identifiers.
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
			out = append(out, [2]string{"phone_sha256", d.SHA256("optout_phone(" + c + ")")})
		}
		return out
	case "email_sha256", "phone_sha256":
		return [][2]string{{kind, "optout_hash(" + c + ")"}}
	default:
		return [][2]string{{kind, "optout_id(" + c + ")"}}
	}
}

// KeyColumns maps identifier kinds to the SQL expressions of the columns
// holding them, in schemas.IdentifierKinds order.
type KeyColumns []struct{ Kind, Expr string }

// keysSQL renders a list of (kind, value) structs: every valid key of a row.
func keysSQL(d Dialect, cols KeyColumns, withHashes bool) string {
	var items []string
	for _, kc := range cols {
		for _, kv := range keyExprs(d, kc.Kind, kc.Expr, withHashes) {
			items = append(items, d.Struct("kind", d.Literal(kv[0]), "value", kv[1]))
		}
	}
	if len(items) == 0 {
		return d.EmptyList("keys")
	}
	return d.ListFilter("["+strings.Join(items, ",\n      ")+"]", "k", "k.value IS NOT NULL")
}

// invalidSQL renders the number of identifiers of a row that were given
// but yielded no key (SPEC §4: dropped and counted).
func invalidSQL(d Dialect, cols KeyColumns) string {
	if len(cols) == 0 {
		return "0"
	}
	var terms []string
	for _, kc := range cols {
		primary := keyExprs(d, kc.Kind, kc.Expr, false)[0][1]
		terms = append(terms, fmt.Sprintf("optout_invalid(%s, %s)", d.Text(kc.Expr), primary))
	}
	return strings.Join(terms, " + ")
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
