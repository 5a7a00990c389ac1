package transforms

import (
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// InlineParams replaces each positional parameter (a ? outside quotes and
// comments) whose value literal accepts with the literal it returns, and
// returns the SQL with the values of the parameters left in place.
func InlineParams(sql string, args []any, literal func(v any) (string, bool)) (string, []any, error) {
	var b strings.Builder
	var kept []any
	n := 0
	for i := 0; i < len(sql); i++ {
		c := sql[i]
		switch {
		case c == '\'' || c == '"' || c == '`':
			j := i + 1
			for j < len(sql) && sql[j] != c {
				if sql[j] == '\\' {
					j++
				}
				j++
			}
			b.WriteString(sql[i:min(j+1, len(sql))])
			i = j
		case c == '-' && strings.HasPrefix(sql[i:], "--"):
			j := strings.IndexByte(sql[i:], '\n')
			if j < 0 {
				j = len(sql) - i
			}
			b.WriteString(sql[i : i+j])
			i += j - 1
		case c == '?':
			if n >= len(args) {
				return "", nil, fmt.Errorf("more parameters than the %d values", len(args))
			}
			if lit, ok := literal(args[n]); ok {
				b.WriteString(lit)
			} else {
				b.WriteByte(c)
				kept = append(kept, args[n])
			}
			n++
		default:
			b.WriteByte(c)
		}
	}
	if n != len(args) {
		return "", nil, fmt.Errorf("%d parameters for %d values", n, len(args))
	}
	return b.String(), kept, nil
}

// Inlined returns step s with each parameter SafeLiteral can write spliced
// into its SQL as a literal; text stays a parameter. Both engines send
// their steps so (docs/decisions.md, "Literals for values that cannot
// carry text").
func Inlined(s Step) (Step, error) {
	if len(s.Args) == 0 {
		return s, nil
	}
	sql, args, err := InlineParams(s.SQL, s.Args, SafeLiteral)
	if err != nil {
		return s, fmt.Errorf("step %s: %w", s.Name, err)
	}
	s.SQL, s.Args = sql, args
	return s, nil
}

// TimeLiteral is the GoogleSQL literal of an instant (a TIMESTAMP in
// UTC). Values derived from parsed dates and timestamps may be spliced
// this way; strings from config or data never are.
func TimeLiteral(v any) (string, bool) {
	t, ok := v.(time.Time)
	if !ok {
		return "", false
	}
	return "TIMESTAMP '" + t.UTC().Format("2006-01-02 15:04:05.999999") + "+00'", true
}

// Day is a calendar date bound as a parameter (the templates' dateParam).
// DuckDB receives its midnight UTC; BigQuery gets a DATE literal, because
// a TIMESTAMP cast to DATE depends on the session's time zone (UTC on
// BigQuery, not on the emulator, which moved D back a day).
type Day time.Time

// Value binds the day as its midnight UTC (database/sql, DuckDB).
func (d Day) Value() (driver.Value, error) { return time.Time(d), nil }

// SafeLiteral is the GoogleSQL literal of a value that cannot carry text:
// an instant (TimeLiteral), a boolean or an integer. Strings are never
// spliced; they stay parameters.
func SafeLiteral(v any) (string, bool) {
	switch x := v.(type) {
	case bool:
		return strings.ToUpper(strconv.FormatBool(x)), true
	case int:
		return strconv.Itoa(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case Day:
		return "DATE '" + time.Time(x).Format(time.DateOnly) + "'", true
	}
	return TimeLiteral(v)
}
