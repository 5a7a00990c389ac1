package transforms

import "strings"

// Statements counts the SQL statements of sql as the engine of dialect d
// runs them: the parts between semicolons that hold more than space and
// comments. A semicolon inside a string, a quoted name or a comment
// separates nothing (BigQuery's JavaScript function bodies, r"""…""", are
// full of them). Each engine counts what it sends with this, so that a
// run's statement count (the runs row's statements) follows one rule.
func (d Dialect) Statements(sql string) int {
	n, open := 0, false // open: the current statement has a token
	for i := 0; i < len(sql); {
		c := sql[i]
		switch {
		case c == ';':
			if open {
				n++
			}
			open = false
			i++
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
		case strings.HasPrefix(sql[i:], "--") || d == BigQuery && c == '#':
			if end := strings.IndexByte(sql[i:], '\n'); end >= 0 {
				i += end + 1
			} else {
				i = len(sql)
			}
		case strings.HasPrefix(sql[i:], "/*"):
			if end := strings.Index(sql[i+2:], "*/"); end >= 0 {
				i += 2 + end + 2
			} else {
				i = len(sql)
			}
		case c == '\'' || c == '"' || c == '`':
			i = d.skipQuoted(sql, i)
			open = true
		default:
			open = true
			i++
		}
	}
	if open {
		n++
	}
	return n
}

// skipQuoted returns the index just after the string or quoted name that
// opens at sql[i]. DuckDB doubles a quote inside one, which reads as two
// quoted parts back to back and skips alike; GoogleSQL escapes with a
// backslash, except in a raw string (r'…'), and has triple-quoted strings.
// An unterminated one runs to the end.
func (d Dialect) skipQuoted(sql string, i int) int {
	q := sql[i]
	closing := string(q)
	escapes := d == BigQuery && !rawPrefix(sql, i)
	if d == BigQuery && q != '`' && strings.HasPrefix(sql[i:], strings.Repeat(closing, 3)) {
		closing = strings.Repeat(closing, 3)
	}
	for j := i + len(closing); j < len(sql); j++ {
		if escapes && sql[j] == '\\' {
			j++
			continue
		}
		if strings.HasPrefix(sql[j:], closing) {
			return j + len(closing)
		}
	}
	return len(sql)
}

// rawPrefix reports whether the quote at sql[i] opens a GoogleSQL raw
// string: r or R before it (rb and br too), as a prefix, not the end of a
// name.
func rawPrefix(sql string, i int) bool {
	p := i - 1
	if p >= 0 && (sql[p] == 'b' || sql[p] == 'B') {
		p--
	}
	if p < 0 || sql[p] != 'r' && sql[p] != 'R' {
		return false
	}
	if p > 0 && (sql[p-1] == 'b' || sql[p-1] == 'B') {
		p--
	}
	return p == 0 || !isWordByte(sql[p-1])
}

func isWordByte(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}
