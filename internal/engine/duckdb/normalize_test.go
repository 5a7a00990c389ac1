package duckdb

import (
	"context"
	"database/sql"
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
	var v [7]sql.NullString
	q := "SELECT " + normtest.Select(transforms.DuckDB.SHA256) + " FROM (SELECT CAST(? AS VARCHAR) AS x)"
	if err := e.conn.QueryRowContext(context.Background(), q, raw).Scan(&v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6]); err != nil {
		t.Fatalf("normalize %q: %v", raw, err)
	}
	return normtest.Keys{Email: v[0].String, EmailSHA: v[1].String, EmailFoldedSHA: v[2].String,
		Phone: v[3].String, PhoneSHA: v[4].String, Hash: v[5].String, ID: v[6].String}
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
