package transforms

import (
	"fmt"
	"slices"
	"strings"
	"text/template"
	"unicode"

	"github.com/optout-dev/optout/schemas"
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

// Relation names one of the run's own relations (an input's view or copy,
// a step's temporary table, a staged output): quoted, and on BigQuery in
// the run's scratch dataset when there is one.
func (d Dialect) Relation(scratch, name string) string {
	if d == BigQuery && scratch != "" {
		return d.Ident(scratch) + "." + d.Ident(name)
	}
	return d.Ident(name)
}

// QualifiedName quotes a possibly qualified table name (sales.customers,
// project.dataset.table) part by part.
func (d Dialect) QualifiedName(table string) string {
	parts := strings.Split(table, ".")
	for i, p := range parts {
		parts[i] = d.Ident(p)
	}
	return strings.Join(parts, ".")
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
		case r != ' ' && !unicode.IsPrint(r): // controls, odd spaces, zero-width
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// SortedEnum is DuckDB's ENUM type of the distinct values, sorted so that
// it orders as their text does: a column of few distinct strings costs a
// byte or two a row in an in-memory table instead of a 16-byte string and
// its text. A value outside the list fails a cast to it.
func SortedEnum(values []string) string {
	sorted := slices.Compact(slices.Sorted(slices.Values(values)))
	for i, v := range sorted {
		sorted[i] = Literal(v)
	}
	return "ENUM(" + strings.Join(sorted, ", ") + ")"
}

// keyKindEnum is the DuckDB type of a key's kind: the tables that hold
// every key hold many (at 10M customers, 33.5M customer keys alone).
var keyKindEnum = SortedEnum(schemas.IdentifierKinds)

// KeyKind renders kind as a key's kind (see keyKindEnum).
func (d Dialect) KeyKind(kind string) string {
	if d == DuckDB {
		return "CAST(" + Literal(kind) + " AS " + keyKindEnum + ")"
	}
	return d.Literal(kind)
}

// types maps the steps' type names to each dialect's.
var types = map[string][2]string{
	"text":      {"VARCHAR", "STRING"},
	"timestamp": {"TIMESTAMPTZ", "TIMESTAMP"},
	"bool":      {"BOOLEAN", "BOOL"},
	"int":       {"BIGINT", "INT64"},
	"date":      {"DATE", "DATE"},
	"int32":     {"INTEGER", "INT64"},
	"text[]":    {"VARCHAR[]", "ARRAY<STRING>"},
	"keys":      {"STRUCT(kind " + keyKindEnum + ", value VARCHAR)[]", "ARRAY<STRUCT<kind STRING, value STRING>>"},
	// Adobe XDM privacyOptOuts and optInOut (sql/adapt_*.sql).
	"xdm_opt_outs": {`STRUCT(optOutType VARCHAR, optOutValue VARCHAR, "timestamp" TIMESTAMPTZ)[]`,
		"ARRAY<STRUCT<optOutType STRING, optOutValue STRING, `timestamp` TIMESTAMP>>"},
	"text_map": {"MAP(VARCHAR, VARCHAR)", "ARRAY<STRUCT<key STRING, value STRING>>"},
	// The lists of the runs row (sql/runs.sql).
	"run_inputs": {"STRUCT(input VARCHAR, file VARCHAR, rows_read BIGINT, rows_used BIGINT, rows_quarantined BIGINT, rows_after_as_of BIGINT, invalid_identifiers BIGINT)[]",
		"ARRAY<STRUCT<input STRING, file STRING, rows_read INT64, rows_used INT64, rows_quarantined INT64, rows_after_as_of INT64, invalid_identifiers INT64>>"},
	"run_outputs":       {`STRUCT("table" VARCHAR, "rows" BIGINT)[]`, "ARRAY<STRUCT<`table` STRING, `rows` INT64>>"},
	"run_steps":         {"STRUCT(step VARCHAR, ms BIGINT)[]", "ARRAY<STRUCT<step STRING, ms INT64>>"},
	"run_leak_checks":   {"STRUCT(export VARCHAR, destination VARCHAR, result VARCHAR, leaks BIGINT)[]", "ARRAY<STRUCT<export STRING, destination STRING, result STRING, leaks INT64>>"},
	"run_retention":     {`STRUCT("table" VARCHAR, partitions BIGINT)[]`, "ARRAY<STRUCT<`table` STRING, partitions INT64>>"},
	"run_input_columns": {"STRUCT(input VARCHAR, name VARCHAR)[]", "ARRAY<STRUCT<input STRING, name STRING>>"},
	// The published export files of sql/third_party_notifications.sql.
	"published_files": {"STRUCT(file VARCHAR, published_at VARCHAR)[]", "ARRAY<STRUCT<file STRING, published_at STRING>>"},
}

// Type is the dialect's name of type t, one of the names in types (text,
// timestamp, bool, int, int32, date, text[], keys: a list of (kind, value)
// structs, ...).
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
			items = append(items, pairs[i+1]+" AS "+d.Ident(pairs[i]))
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
		return "REGEXP_CONTAINS(" + s + ", " + d.Literal("^(?:"+re+")$") + ")"
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
// ("" for all rows), ordered by orderBy; NULL when no row counts. x sorted
// by its own value must come in orderBy's order: orderBy is x, or the
// first field of struct x and distinct in the group. DuckDB sorts the
// list after aggregating (list_sort), four to five times faster than an
// ordered aggregate; BigQuery cannot order by a struct, hence orderBy.
func (d Dialect) ListAgg(x, orderBy, cond string) string {
	if d == BigQuery {
		if cond != "" {
			x = fmt.Sprintf("IF(%s, %s, NULL)", cond, x)
		}
		return fmt.Sprintf("ARRAY_AGG(%s IGNORE NULLS ORDER BY %s)", x, orderBy)
	}
	if cond != "" {
		return fmt.Sprintf("list_sort(list(%s) FILTER (WHERE %s))", x, cond)
	}
	return fmt.Sprintf("list_sort(list(%s))", x)
}

// BoolOr renders the aggregate: whether x holds for some row.
func (d Dialect) BoolOr(x string) string {
	if d == BigQuery {
		return "LOGICAL_OR(" + x + ")"
	}
	return "bool_or(" + x + ")"
}

// CountIf renders the aggregate: the number of rows where cond holds.
func (d Dialect) CountIf(cond string) string {
	if d == BigQuery {
		return "COUNTIF(" + cond + ")"
	}
	return "count(*) FILTER (WHERE " + cond + ")"
}

// UnnestRows renders a relation: every row of relation (where cond holds,
// unless cond is "") once per element of list, with all its columns and
// the element as alias. GoogleSQL unnests only in FROM, DuckDB also in the
// select list, which is how the DuckDB steps were written and measured.
func (d Dialect) UnnestRows(relation, list, alias, cond string) string {
	where := ""
	if cond != "" {
		where = " WHERE " + cond
	}
	if d == BigQuery {
		return fmt.Sprintf("(SELECT _t.*, %s FROM %s AS _t, UNNEST(%s) AS %s%s)", alias, relation, list, alias, where)
	}
	return fmt.Sprintf("(SELECT *, unnest(%s) AS %s FROM %s%s)", list, alias, relation, where)
}

// ListsDiffer renders whether two lists of strings differ (GoogleSQL has
// no equality on arrays).
func (d Dialect) ListsDiffer(a, b string) string {
	if d == BigQuery {
		return "TO_JSON_STRING(" + a + ") <> TO_JSON_STRING(" + b + ")"
	}
	return a + " <> " + b
}

// ListDistinct renders whether two lists of strings differ, NULL
// counting as a value (IS DISTINCT FROM). On BigQuery they are compared as
// JSON text, which is equal exactly when the lists hold the same strings
// in the same order.
func (d Dialect) ListDistinct(a, b string) string {
	if d == BigQuery {
		return "TO_JSON_STRING(" + a + ") IS DISTINCT FROM TO_JSON_STRING(" + b + ")"
	}
	return a + " IS DISTINCT FROM " + b
}

// GroupKey renders the GROUP BY key of x, which may be a STRUCT: the
// emulator's GoogleSQL does not group by STRUCT, so BigQuery uses its JSON
// text, which is equal exactly when the values are (customers_reread).
func (d Dialect) GroupKey(x string) string {
	if d == BigQuery {
		return "TO_JSON_STRING(" + x + ")"
	}
	return x
}

// ListRows renders a relation with one row per element of list, in
// column alias.
func (d Dialect) ListRows(list, alias string) string {
	if d == BigQuery {
		return "UNNEST(" + list + ") AS " + alias
	}
	return "(SELECT unnest(" + list + ") AS " + alias + ")"
}

// DateSeries renders a relation with one row per date from from to to
// (both DATE expressions, inclusive), in column alias.
func (d Dialect) DateSeries(from, to, alias string) string {
	if d == BigQuery {
		return fmt.Sprintf("UNNEST(GENERATE_DATE_ARRAY(%s, %s)) AS %s", from, to, alias)
	}
	return fmt.Sprintf("(SELECT CAST(d AS DATE) AS %s FROM range(%s, %s + INTERVAL 1 DAY, INTERVAL 1 DAY) t(d))", alias, from, to)
}

// Instant renders column name of src as a timestamp (a typed NULL when src
// lacks it). A DATE names a civil day in the run's time zone tz, so it is
// the instant that day starts there: cast as it is, it would be midnight
// UTC, which in a zone west of UTC falls on the day before, and a request
// dated the day after D would count for D (SPEC §2: nothing later than
// the as-of instant may change D). tz is a literal, not a bind parameter:
// a parameter rendered but unused where the column is no DATE would
// leave the statement with a value too many.
func (d Dialect) Instant(src Source, name, tz string) string {
	f, ok := schemas.Find(src.Fields, name)
	switch {
	case !ok:
		return d.Null("timestamp")
	case f.Family != schemas.Date:
		return d.Cast(d.Ident(f.Name), "timestamp")
	}
	return d.dayStart(d.Ident(f.Name), tz)
}

// Day renders column name of src as a civil day: a DATE as it is, and an
// instant as the date it falls on in time zone tz (a literal), as Instant
// reads a DATE as the start of that day there. Cast to DATE, a timestamp
// took its day in UTC: traffic of the evening of 31 October in Los
// Angeles (03:30 UTC on 1 November) counted in November.
func (d Dialect) Day(src Source, name, tz string) string {
	f, ok := schemas.Find(src.Fields, name)
	switch {
	case !ok:
		return d.Null("date")
	case f.Family == schemas.Date:
		return d.Ident(f.Name)
	}
	return d.CivilDate(d.Cast(d.Ident(f.Name), "timestamp"), tz)
}

// dayStart renders the first instant of date day in time zone tz (a
// literal: it is used twice). Where the day's midnight comes twice
// (America/Havana when the clocks go back at 01:00), the day starts at the
// first, as BigQuery's TIMESTAMP(date, tz) has it; DuckDB's timezone()
// takes the second, so its form is the earlier of that and an hour after
// 23:00 the day before.
func (d Dialect) dayStart(day, tz string) string {
	if d == BigQuery {
		return "TIMESTAMP(" + day + ", " + tz + ")"
	}
	local := "CAST(" + day + " AS TIMESTAMP)"
	return "least(timezone(" + tz + ", " + local + "), timezone(" + tz + ", " + local + " - INTERVAL 1 HOUR) + INTERVAL 1 HOUR)"
}

// CivilDate renders the date of timestamp ts in time zone tz.
func (d Dialect) CivilDate(ts, tz string) string {
	if d == BigQuery {
		return "DATE(" + ts + ", " + tz + ")"
	}
	return d.CivilTime(ts, tz) + "::DATE"
}

// EndOfDay renders the last microsecond of date day in time zone tz (a
// literal): the microsecond before the next day starts.
func (d Dialect) EndOfDay(day, tz string) string {
	if d == BigQuery {
		return "TIMESTAMP_SUB(" + d.dayStart("DATE_ADD("+day+", INTERVAL 1 DAY)", tz) + ", INTERVAL 1 MICROSECOND)"
	}
	return d.dayStart("CAST("+day+" + INTERVAL 1 DAY AS DATE)", tz) + " - INTERVAL 1 MICROSECOND"
}

// Month renders the civil month (YYYY-MM) of timestamp ts in time zone tz.
func (d Dialect) Month(ts, tz string) string {
	if d == BigQuery {
		return fmt.Sprintf("FORMAT_TIMESTAMP('%%Y-%%m', %s, %s)", ts, tz)
	}
	return fmt.Sprintf("strftime(%s, '%%Y-%%m')", d.CivilTime(ts, tz))
}

// DateMonth renders the month (YYYY-MM) of date day.
func (d Dialect) DateMonth(day string) string {
	if d == BigQuery {
		return fmt.Sprintf("FORMAT_DATE('%%Y-%%m', %s)", day)
	}
	return fmt.Sprintf("strftime(%s, '%%Y-%%m')", day)
}

// Year renders the year of date day.
func (d Dialect) Year(day string) string {
	if d == BigQuery {
		return "EXTRACT(YEAR FROM " + day + ")"
	}
	return "year(" + day + ")"
}

// DaysBetween renders the number of days from date a to date b. Both
// forms keep a before b: a parameter binds by its place in the text, in
// the order the template called param. (0 - …, not unary minus: the
// BigQuery emulator has no unary minus.)
func (d Dialect) DaysBetween(a, b string) string {
	if d == BigQuery {
		return fmt.Sprintf("(0 - DATE_DIFF(%s, %s, DAY))", a, b)
	}
	return fmt.Sprintf("date_diff('day', %s, %s)", a, b)
}

// DayBefore renders the day before date x.
func (d Dialect) DayBefore(x string) string {
	if d == BigQuery {
		return "DATE_SUB(" + x + ", INTERVAL 1 DAY)"
	}
	return "CAST(" + x + " - INTERVAL 1 DAY AS DATE)"
}

// CivilTime renders the wall-clock time of timestamp ts in time zone tz
// (a TIMESTAMP without zone in DuckDB, a DATETIME in GoogleSQL). On
// DuckDB it is the Go function optout_local_time, DuckDB's timezone(tz,
// ts) without ICU's cost for every value (internal/engine/duckdb/udf_time.go).
// Every civil date and month goes through it.
func (d Dialect) CivilTime(ts, tz string) string {
	if d == BigQuery {
		return "DATETIME(" + ts + ", " + tz + ")"
	}
	return "optout_local_time(" + ts + ", " + tz + ")"
}

// AddMonths renders civil time t (CivilTime) plus n months; a day past
// the end of the month reached becomes its last day, in both dialects.
func (d Dialect) AddMonths(t string, n int) string {
	if d == BigQuery {
		return fmt.Sprintf("DATETIME_ADD(%s, INTERVAL %d MONTH)", t, n)
	}
	return fmt.Sprintf("%s + INTERVAL %d MONTH", t, n)
}

// QuantileCont renders the aggregate: the p-quantile of x, interpolated
// linearly between the closest ranks (DuckDB's quantile_cont). GoogleSQL's
// PERCENTILE_CONT is a window function only, so BigQuery reads the two
// ranks off the sorted values.
func (d Dialect) QuantileCont(x string, p float64) string {
	if d == BigQuery {
		pos := fmt.Sprintf("(COUNT(%s) - 1) * %v", x, p)
		at := func(round string) string {
			return fmt.Sprintf("ARRAY_AGG(%s IGNORE NULLS ORDER BY %s)[SAFE_OFFSET(CAST(%s(%s) AS INT64))]", x, x, round, pos)
		}
		// lo·(1-d) + hi·d, DuckDB's interpolation for doubles, rounding alike.
		frac := fmt.Sprintf("(%s - FLOOR(%s))", pos, pos)
		return fmt.Sprintf("(%s * (1 - %s) + %s * %s)", at("FLOOR"), frac, at("CEIL"), frac)
	}
	return fmt.Sprintf("quantile_cont(%s, %v)", x, p)
}

// RegexGroup renders the first capture group of (RE2) re in s.
func (d Dialect) RegexGroup(s, re string) string {
	if d == BigQuery {
		return "REGEXP_EXTRACT(" + s + ", " + d.Literal(re) + ")"
	}
	return "regexp_extract(" + s + ", " + Literal(re) + ", 1)"
}

// JoinText renders the text parts (NULLs skipped) joined with '|'.
func (d Dialect) JoinText(parts ...string) string {
	if d == BigQuery {
		return "ARRAY_TO_STRING([" + strings.Join(parts, ", ") + "], '|')"
	}
	return "concat_ws('|', " + strings.Join(parts, ", ") + ")"
}

// ShortHash renders the first 32 hex digits of the SHA-256 of text.
func (d Dialect) ShortHash(text string) string { return "left(" + d.SHA256(text) + ", 32)" }

// EpochMicros renders timestamp ts as microseconds since 1970, in text.
func (d Dialect) EpochMicros(ts string) string { return d.Text(d.Micros(ts)) }

// Micros renders a timestamp as its microseconds since 1970: an integer
// that orders as the timestamp does in either engine (the emulator's
// ARRAY_AGG ignores a TIMESTAMP sort key).
func (d Dialect) Micros(ts string) string {
	if d == BigQuery {
		return "UNIX_MICROS(" + ts + ")"
	}
	return "epoch_us(" + ts + ")"
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
func (d Dialect) Col(src Source, name, t string) string { return d.QCol("", src, name, t) }

// QCol renders column name of src qualified by alias (see Col). Asked for
// text, a BigQuery column of another type (an integer customer_id, say) is
// cast to STRING: the normalization functions take STRING, where DuckDB's
// macros cast for themselves.
func (d Dialect) QCol(alias string, src Source, name, t string) string {
	f, ok := schemas.Find(src.Fields, name)
	if !ok {
		return d.Null(t)
	}
	col := d.Ident(f.Name)
	if alias != "" {
		col = alias + "." + col
	}
	if d == BigQuery && t == "text" && f.Family != schemas.String {
		return d.Cast(col, "text")
	}
	return col
}

// Text renders x as text for the normalization functions, which take
// text only (a number given as an identifier is its text; a cast of text
// to text costs nothing).
func (d Dialect) Text(x string) string { return d.Cast(x, "text") }

// RowReason renders the quarantine reason of a row of a big input's row
// table (customer_rows, export_rows): reason when cond holds, else NULL.
// DuckDB holds it as an ENUM, in one byte a row; a VARCHAR, even NULL,
// takes sixteen, 160 MB at 10M customers.
func (d Dialect) RowReason(cond, reason string) string {
	c := "CASE WHEN " + cond + " THEN " + Literal(reason) + " END"
	if d == BigQuery {
		return c
	}
	return "CAST(" + c + " AS ENUM(" + Literal(reason) + "))"
}

// funcs are the template functions of the dialect.
func (d Dialect) funcs() template.FuncMap {
	return template.FuncMap{
		"ident":           d.Ident,
		"lit":             d.Literal,
		"trimpattern":     func() string { return d.Literal(TrimRE) },
		"invisibleclass":  func() string { return d.Literal(RegexClass(InvisibleChars)) },
		"angleaddress":    func() string { return d.Literal(AngleAddressRE) },
		"mailtoprefix":    func() string { return d.Literal(MailtoPrefixRE) },
		"phoneextension":  func() string { return d.Literal(PhoneExtensionRE) },
		"phonesecond":     func() string { return d.Literal(PhoneSecondNumberRE) },
		"phoneotherdigit": func() string { return d.Literal(PhoneOtherDigitRE) },
		"phoneintl":       func() string { return d.Literal(PhoneInternationalRE) },
		"uuidform":        func() string { return d.Literal(UUIDRE) },
		"zerouuid":        func() string { return d.Literal(ZeroUUID) },
		"type":            d.Type,
		"cast":            d.Cast,
		"null":            d.Null,
		"emptyList":       d.EmptyList,
		"struct":          d.Struct,
		"listMap":         d.ListMap,
		"listFilter":      d.ListFilter,
		"sortedSet":       d.SortedSet,
		"listAny":         d.ListAny,
		"argMax":          d.ArgMax,
		"micros":          d.Micros,
		"keyKind":         d.KeyKind,
		"listAgg":         d.ListAgg,
		"boolOr":          d.BoolOr,
		"except":          d.Except,
		"rowReason":       d.RowReason,
		"countIf":         d.CountIf,
		"unnestRows":      d.UnnestRows,
		"bigquery":        func() bool { return d == BigQuery },
		"listsDiffer":     d.ListsDiffer,
		"listDistinct":    d.ListDistinct,
		"listRows":        d.ListRows,
		"dateSeries":      d.DateSeries,
		"civilDate":       d.CivilDate,
		"instant":         d.Instant,
		"day":             d.Day,
		"endOfDay":        d.EndOfDay,
		"month":           d.Month,
		"dateMonth":       d.DateMonth,
		"year":            d.Year,
		"daysBetween":     d.DaysBetween,
		"dayBefore":       d.DayBefore,
		"addMonths":       d.AddMonths,
		"civilTime":       d.CivilTime,
		"quantileCont":    d.QuantileCont,
		"regexGroup":      d.RegexGroup,
		"joinText":        d.JoinText,
		"shortHash":       d.ShortHash,
		"epochMicros":     d.EpochMicros,
		"listLen":         d.Len,
		"inList":          d.In,
		"split":           d.Split,
		"fullMatch":       d.FullMatch,
		"sha256":          d.SHA256,
		"col":             d.Col,
		"qcol":            d.QCol,
		"categories":      d.Categories,
	}
}
