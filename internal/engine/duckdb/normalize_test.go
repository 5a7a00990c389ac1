package duckdb

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/internal/testkit/normtest"
	"github.com/optout-dev/optout/transforms"
)

var nasty = normtest.Nasty()

func openNorm(t testing.TB) *Engine {
	t.Helper()
	e, err := Open(context.Background(), config.DuckDB{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	m, err := transforms.MacrosStep(transforms.DuckDB)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.Run(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *Engine) sqlNormalize(t testing.TB, raw string) normtest.Keys {
	t.Helper()
	var v [10]sql.NullString
	q := "SELECT " + normtest.Select(transforms.DuckDB.SHA256) + " FROM (SELECT CAST(? AS VARCHAR) AS x)"
	if err := e.conn.QueryRowContext(context.Background(), q, raw).Scan(&v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]); err != nil {
		t.Fatalf("normalize %q: %v", raw, err)
	}
	return normtest.Keys{Email: v[0].String, EmailSHA: v[1].String, EmailFoldedSHA: v[2].String,
		Phone: v[3].String, PhoneSHA: v[4].String, Hash: v[5].String, ID: v[6].String, Device: v[7].String, State: v[8].String, Given: v[9].String}
}

func TestNormalizationSQLMatchesGo(t *testing.T) {
	if len(nasty) < 60 {
		t.Fatalf("only %d nasty inputs", len(nasty))
	}
	e := openNorm(t)
	for _, raw := range nasty {
		if got, want := e.sqlNormalize(t, raw), normtest.Reference(raw); got != want {
			t.Errorf("input %q:\n sql %+v\n  go %+v", raw, got, want)
		}
	}
}

// Spot checks of the Go reference itself against SPEC §4, so that the two
// cannot agree on a wrong answer.
func TestNormalizationReference(t *testing.T) {
	cases := []struct{ raw, email, phone string }{
		{" Jane.Doe+news@GoogleMail.com ", "janedoe@gmail.com", ""},
		{"a.b@example.com", "a.b@example.com", ""},
		{"a@b@c.com", "", ""},
		{"mailto:X@Y.com", "x@y.com", ""},
		{"(415) 555-0100", "", "+14155550100"},
		{"14155550100", "", "+14155550100"},
		{"24155550100", "", ""},
		{"+44 20 7946 0958", "", "+442079460958"},
		{"415555010", "", ""},
		{"+1234567890123456", "", ""},
		// A tel: URI, and a country code in parentheses, say it too.
		{"tel:+44-7700-900123", "", "+447700900123"},
		{"TEL:+1-415-555-0101;ext=22", "", "+14155550101"},
		{"(+44) 7700 900123", "", "+447700900123"},
		{"(+44) (0)7700 900123", "", "+447700900123"},
		{"tel:415-555-0101", "", "+14155550101"},
		{"tel:44-7700-900123", "", ""},
		{"((+44) 7700 900123", "", ""},
		// A spreadsheet's text marker before the '+' (what a guarded CSV
		// export writes): still international.
		{"'+45 12 34 56 78", "", "+4512345678"},
		{"'tel:+44-7700-900123", "", "+447700900123"},
		{"'4155550100", "", "+14155550100"},
		// Two addresses or two numbers in one cell are invalid (two '@', 20
		// digits), not the last address or the first number: either would
		// key the row by one person and carry the other to the export.
		{"Bob <bob@example.com>, Al <al@example.org>", "", ""},
		{"bob@example.com <al@example.org>", "", ""},
		{"Al <Al@Example.org>", "al@example.org", ""},
		{"415-555-0101;212-555-0102", "", ""},
		{"415 555 0101 # 212 555 0102", "", ""},
		{"+44 20 7946 0958 x 1234567", "", ""},
		{"+1 415 555 0101 ext. 123456", "", "+14155550101"},
		// A digit beyond ASCII: read without it, another valid number.
		{"+44 \uff12\uff10 7946 0958", "", ""},
	}
	for _, c := range cases {
		var email string
		if k := transforms.EmailKeys(c.raw); k != nil {
			email = k[0].Value
		}
		if email != c.email || transforms.PhoneE164(c.raw) != c.phone {
			t.Errorf("%q: email %q phone %q, want %q %q", c.raw, email, transforms.PhoneE164(c.raw), c.email, c.phone)
		}
	}
	if k := transforms.EmailKeys("J.Doe@gmail.com"); len(k) != 3 || k[1].Value != transforms.SHA256Hex("j.doe@gmail.com") || k[2].Value != transforms.SHA256Hex("jdoe@gmail.com") {
		t.Errorf("gmail hash keys: %+v", k)
	}
}

func FuzzNormalization(f *testing.F) {
	for _, s := range nasty {
		f.Add(s)
	}
	e := openNorm(f)
	f.Fuzz(func(t *testing.T, raw string) {
		if !utf8.ValidString(raw) || containsNUL(raw) {
			t.Skip("DuckDB strings are valid UTF-8 without NUL")
		}
		if got, want := e.sqlNormalize(t, raw), normtest.Reference(raw); got != want {
			t.Errorf("input %q:\n sql %+v\n  go %+v", raw, got, want)
		}
	})
}

func containsNUL(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return true
		}
	}
	return false
}

// TestGoFunctionsOverChunks runs every Go function over several of
// DuckDB's 2,048-row chunks at once, the nasty inputs mixed with NULLs,
// short values (stored inline) and long ones: each row's result must be
// the Go function's, and NULL exactly where it has none.
func TestGoFunctionsOverChunks(t *testing.T) {
	e := openNorm(t)
	ctx := context.Background()
	if _, err := e.conn.ExecContext(ctx, "CREATE TEMP TABLE chunk_inputs (i INTEGER, v VARCHAR)"); err != nil {
		t.Fatal(err)
	}
	var inputs []*string
	for i := 0; len(inputs) < 5000; i++ {
		switch {
		case i%7 == 3:
			inputs = append(inputs, nil)
		default:
			v := nasty[i%len(nasty)]
			inputs = append(inputs, &v)
		}
	}
	values := make([]string, len(inputs))
	args := make([]any, 0, 2*len(inputs))
	for i, v := range inputs {
		values[i] = "(?, ?)"
		args = append(args, i, v)
	}
	if _, err := e.conn.ExecContext(ctx, "INSERT INTO chunk_inputs VALUES "+strings.Join(values, ", "), args...); err != nil {
		t.Fatal(err)
	}
	for _, f := range goFunctions {
		rows, err := e.conn.QueryContext(ctx, "SELECT i, "+f.name+"(v) FROM chunk_inputs ORDER BY i")
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			var i int
			var got sql.NullString
			if err := rows.Scan(&i, &got); err != nil {
				t.Fatal(err)
			}
			var want sql.NullString
			if in := inputs[i]; in != nil {
				want.String, want.Valid = f.fn(*in)
				if !want.Valid {
					want.String = ""
				}
			}
			if got != want {
				t.Errorf("%s(%q) row %d: %+v, want %+v", f.name, deref(inputs[i]), i, got, want)
			}
			n++
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		if n != len(inputs) {
			t.Errorf("%s: %d rows of %d", f.name, n, len(inputs))
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return "<NULL>"
	}
	return *s
}

// A driver connection without the C connection where optout looks for it
// (a duckdb-go upgrade that moved it) is an error at open, not a crash.
func TestRawConnectionRefusesAnUnknownDriver(t *testing.T) {
	type conn struct{ conn string }
	for _, c := range []any{nil, 42, &conn{conn: "x"}} {
		if _, err := rawConnection(c); err == nil || !strings.Contains(err.Error(), "no C connection") {
			t.Errorf("%T: %v, want the no-C-connection error", c, err)
		}
	}
}

// A Go function whose result is not UTF-8 fails the query: DuckDB would
// otherwise store NULL in its place, a key silently gone.
func TestGoFunctionResultNotUTF8FailsTheQuery(t *testing.T) {
	saved := goFunctions
	goFunctions = append(slices.Clip(goFunctions), textFunc{"optout_test_broken", func(string) (string, bool) { return "\xff", true }})
	t.Cleanup(func() { goFunctions = saved }) // after the engine closes
	e := openNorm(t)
	var got sql.NullString
	err := e.conn.QueryRowContext(context.Background(), "SELECT optout_test_broken(CAST(? AS VARCHAR))", "x").Scan(&got)
	if err == nil || !strings.Contains(err.Error(), "not valid UTF-8") {
		t.Fatalf("got %+v, %v; want the query to fail on the result that is not UTF-8", got, err)
	}
}
