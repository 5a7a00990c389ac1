package transforms

import (
	"fmt"
	"strings"
	"text/template"
	"unicode"
)

// Dialect is the SQL an engine speaks. Each step is written once in sql/;
// the few constructs where DuckDB and BigQuery (GoogleSQL) differ — quoting,
// type names, list functions, struct literals, hashing, regular
// expressions — are rendered by the methods below, the way dbt's
// cross-database macros work. A step whose form truly differs has an
// override template "<name>.bigquery".
type Dialect int

const (
	DuckDB Dialect = iota
	BigQuery
)

func (d Dialect) String() string { return [...]string{DuckDB: "duckdb", BigQuery: "bigquery"}[d] }

// Ident quotes an identifier.
func (d Dialect) Ident(s string) string {
	if d == BigQuery {
		return "`" + strings.ReplaceAll(s, "`", "\\`") + "`"
	}
	return Ident(s)
}

// Literal quotes a string constant of the program (never config or data:
// those are bind parameters). GoogleSQL escapes with backslashes and takes
// no raw line breaks in a quoted string.
func (d Dialect) Literal(s string) string {
	if d != BigQuery {
		return Literal(s)
	}
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range s {
		switch {
		case r == '\'' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f || unicode.Is(unicode.Zs, r) && r != ' ' || r == '\u200b' || r == '\ufeff':
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// types maps the steps' type names to each dialect's.
var types = map[string][2]string{
	"text":      {"VARCHAR", "STRING"},
	"timestamp": {"TIMESTAMPTZ", "TIMESTAMP"},
	"bool":      {"BOOLEAN", "BOOL"},
	"int":       {"BIGINT", "INT64"},
	"date":      {"DATE", "DATE"},
	"text[]":    {"VARCHAR[]", "ARRAY<STRING>"},
	"keys":      {"STRUCT(kind VARCHAR, value VARCHAR)[]", "ARRAY<STRUCT<kind STRING, value STRING>>"},
	// Adobe XDM privacyOptOuts and optInOut (sql/adapters.sql).
	"xdm_opt_outs": {`STRUCT(optOutType VARCHAR, optOutValue VARCHAR, "timestamp" TIMESTAMPTZ)[]`,
		"ARRAY<STRUCT<optOutType STRING, optOutValue STRING, `timestamp` TIMESTAMP>>"},
	"text_map": {"MAP(VARCHAR, VARCHAR)", "ARRAY<STRUCT<key STRING, value STRING>>"},
}

// Type is the dialect's name of type t (text, timestamp, bool, int, date,
// text[] or keys, a list of (kind, value) structs).
func (d Dialect) Type(t string) string {
	names, ok := types[t]
	if !ok {
		panic(fmt.Sprintf("transforms: no SQL type %q", t)) // a template bug, caught by every render test
	}
	return names[d]
}

// Struct renders a struct literal from name, expression pairs.
func (d Dialect) Struct(pairs ...string) string {
	var items []string
	for i := 0; i+1 < len(pairs); i += 2 {
		if d == BigQuery {
			items = append(items, pairs[i+1]+" AS "+pairs[i])
		} else {
			items = append(items, Literal(pairs[i])+": "+pairs[i+1])
		}
	}
	if d == BigQuery {
		return "STRUCT(" + strings.Join(items, ", ") + ")"
	}
	return "{" + strings.Join(items, ", ") + "}"
}

// ListMap renders list with each element v replaced by expr (order kept).
func (d Dialect) ListMap(list, v, expr string) string {
	if d == BigQuery {
		return fmt.Sprintf("ARRAY(SELECT %s FROM UNNEST(%s) AS %s WITH OFFSET AS _o ORDER BY _o)", expr, list, v)
	}
	return fmt.Sprintf("list_transform(%s, %s -> %s)", list, v, expr)
}

// ListFilter renders the elements v of list for which cond holds (order kept).
func (d Dialect) ListFilter(list, v, cond string) string {
	if d == BigQuery {
		return fmt.Sprintf("ARRAY(SELECT %s FROM UNNEST(%s) AS %s WITH OFFSET AS _o WHERE %s ORDER BY _o)", v, list, v, cond)
	}
	return fmt.Sprintf("list_filter(%s, %s -> %s)", list, v, cond)
}

// ListAny renders whether cond holds for some element v of list.
func (d Dialect) ListAny(list, v, cond string) string {
	if d == BigQuery {
		return fmt.Sprintf("EXISTS(SELECT 1 FROM UNNEST(%s) AS %s WHERE %s)", list, v, cond)
	}
	return fmt.Sprintf("len(list_filter(%s, %s -> %s)) > 0", list, v, cond)
}

// SortedSet renders the distinct non-NULL elements of list, sorted.
func (d Dialect) SortedSet(list string) string {
	if d == BigQuery {
		return fmt.Sprintf("ARRAY(SELECT DISTINCT _e FROM UNNEST(%s) AS _e WHERE _e IS NOT NULL ORDER BY _e)", list)
	}
	return fmt.Sprintf("list_sort(list_distinct(%s))", list)
}

// Len renders the number of elements of list.
func (d Dialect) Len(list string) string {
	if d == BigQuery {
		return "ARRAY_LENGTH(" + list + ")"
	}
	return "len(" + list + ")"
}

// In renders whether x is an element of list.
func (d Dialect) In(x, list string) string {
	if d == BigQuery {
		return x + " IN UNNEST(" + list + ")"
	}
	return "list_contains(" + list + ", " + x + ")"
}

// Split renders s split at every sep.
func (d Dialect) Split(s, sep string) string {
	if d == BigQuery {
		return "SPLIT(" + s + ", " + sep + ")"
	}
	return "string_split(" + s + ", " + sep + ")"
}

// FullMatch renders whether all of s matches the (RE2) regular expression re.
func (d Dialect) FullMatch(s, re string) string {
	if d == BigQuery {
		return "REGEXP_CONTAINS(" + s + ", " + Literal("^(?:"+re+")$") + ")"
	}
	return "regexp_full_match(" + s + ", " + Literal(re) + ")"
}

// SHA256 renders the lowercase hex SHA-256 of the UTF-8 bytes of s.
func (d Dialect) SHA256(s string) string {
	if d == BigQuery {
		return "TO_HEX(SHA256(" + s + "))"
	}
	return "sha256(" + s + ")"
}

// ArgMax renders the aggregate: x of the row with the greatest by.
func (d Dialect) ArgMax(x, by string) string {
	if d == BigQuery {
		// ARRAY_AGG ... LIMIT 1 rather than MAX_BY: the same rows, and the
		// BigQuery emulator lacks MAX_BY.
		return fmt.Sprintf("ARRAY_AGG(%s ORDER BY %s DESC LIMIT 1)[OFFSET(0)]", x, by)
	}
	return fmt.Sprintf("arg_max(%s, %s)", x, by)
}

// ListAgg renders the aggregate list of x over the rows where cond holds
// ("" for all rows), ordered by orderBy; NULL when no row counts.
func (d Dialect) ListAgg(x, orderBy, cond string) string {
	if d == BigQuery {
		if cond != "" {
			x = fmt.Sprintf("IF(%s, %s, NULL)", cond, x)
		}
		return fmt.Sprintf("ARRAY_AGG(%s IGNORE NULLS ORDER BY %s)", x, orderBy)
	}
	if cond != "" {
		return fmt.Sprintf("list(%s ORDER BY %s) FILTER (WHERE %s)", x, orderBy, cond)
	}
	return fmt.Sprintf("list(%s ORDER BY %s)", x, orderBy)
}

// BoolOr renders the aggregate: whether x holds for some row.
func (d Dialect) BoolOr(x string) string {
	if d == BigQuery {
		return "LOGICAL_OR(" + x + ")"
	}
	return "bool_or(" + x + ")"
}

// Except is the keyword of a star select that leaves columns out.
func (d Dialect) Except() string {
	if d == BigQuery {
		return "EXCEPT"
	}
	return "EXCLUDE"
}

// Cast renders x cast to type t (see Type).
func (d Dialect) Cast(x, t string) string { return "CAST(" + x + " AS " + d.Type(t) + ")" }

// Null renders a typed NULL.
func (d Dialect) Null(t string) string { return d.Cast("NULL", t) }

// EmptyList renders an empty list of type t.
func (d Dialect) EmptyList(t string) string { return d.Cast("[]", t) }

// Col renders column name of src, or a typed NULL when src lacks it.
func (d Dialect) Col(src Source, name, t string) string {
	if n, ok := src.Column(name); ok {
		return d.Ident(n)
	}
	return d.Null(t)
}

// funcs are the template functions of the dialect.
func (d Dialect) funcs() template.FuncMap {
	return template.FuncMap{
		"ident":      d.Ident,
		"lit":        d.Literal,
		"trimchars":  func() string { return d.Literal(TrimChars) },
		"tmp":        func(step string) string { return d.Ident(TempName(step)) },
		"type":       d.Type,
		"cast":       d.Cast,
		"null":       d.Null,
		"emptyList":  d.EmptyList,
		"struct":     d.Struct,
		"listMap":    d.ListMap,
		"listFilter": d.ListFilter,
		"sortedSet":  d.SortedSet,
		"listAny":    d.ListAny,
		"argMax":     d.ArgMax,
		"listAgg":    d.ListAgg,
		"boolOr":     d.BoolOr,
		"except":     d.Except,
		"listLen":    d.Len,
		"inList":     d.In,
		"split":      d.Split,
		"fullMatch":  d.FullMatch,
		"sha256":     d.SHA256,
		"col":        d.Col,
		"categories": d.Categories,
	}
}
