package duckdb

import (
	"context"
	"database/sql"
	"testing"
	"unicode/utf8"

	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/transforms"
)

// nasty are identifier values that have bitten real pipelines.
var nasty = []string{
	"", " ", "\t", "a@b.com", " A@B.COM ", "Jane.Doe@Example.com", "jane.doe+news@gmail.com",
	"J.A.N.E+x+y@GoogleMail.com", "+tag@gmail.com", "...@gmail.com", ".+@gmail.com", "a.b@gmail.co",
	"mailto:Someone@Example.org", "MAILTO:x@y.z", "mailto:", "a@@b.com", "a@b@c.com", "@b.com", "a@", "a@b",
	"a@.com", "a@b.", "a b@c.com", "ünïcødé@exämple.de", "ÄÖÜ@BEISPIEL.DE", "İstanbul@örnek.com.tr",
	"\u00a0x@y.com\u00a0", "\ufeffbom@y.com", "x@y.com\u200b", "\u3000wide@y.com\u3000", "tab\t@y.com",
	"Ω@σ.gr", "ΣΊΣΥΦΟΣ@ΕΛΛΆΔΑ.GR", "K@K.com", "ß@straße.de",
	"4155550100", "(415) 555-0100", "415.555.0100", "+1 415 555 0100", "1-415-555-0100", "14155550100",
	"415555010", "41555501001", "24155550100", "+44 20 7946 0958", "+4420794609", "+1234567",
	"+12345678", "1234567890123456", "+1234567890123456", "+123456789012345", "555-0100",
	"1-800-FLOWERS", "phone: 415 555 0100", "٤١٥٥٥٥٠١٠٠", "４１５５５５０１００", "+", "++14155550100",
	" +1 (415) 555-0100 ext 12", "0044 20 7946 0958",
	"9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08",
	" 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 ",
	"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0", "g86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
	"cust-001", "  cust-002  ", "\u00a0", "0", "-1", "null", "NULL", "'quoted'", "back\\slash",
}

type sqlKeys struct {
	email, emailSHA, emailFoldSHA, phone, phoneSHA, hash, id sql.NullString
}

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

func (e *Engine) sqlNormalize(t testing.TB, raw string) sqlKeys {
	t.Helper()
	var k sqlKeys
	err := e.conn.QueryRowContext(context.Background(), `SELECT optout_email(?1), optout_email_sha(?1), optout_email_folded_sha(?1),
		optout_phone(?1), sha256(optout_phone(?1)), optout_hash(?1), optout_id(?1)`, raw).
		Scan(&k.email, &k.emailSHA, &k.emailFoldSHA, &k.phone, &k.phoneSHA, &k.hash, &k.id)
	if err != nil {
		t.Fatalf("normalize %q: %v", raw, err)
	}
	return k
}

// goKeys is the Go reference in the same shape.
func goKeys(raw string) sqlKeys {
	var k sqlKeys
	set := func(ns *sql.NullString, v string) {
		if v != "" {
			*ns = sql.NullString{String: v, Valid: true}
		}
	}
	for i, key := range transforms.EmailKeys(raw) {
		switch i {
		case 0:
			set(&k.email, key.Value)
		case 1:
			set(&k.emailSHA, key.Value)
		case 2:
			set(&k.emailFoldSHA, key.Value)
		}
	}
	if p := transforms.PhoneKeys(raw); p != nil {
		set(&k.phone, p[0].Value)
		set(&k.phoneSHA, p[1].Value)
	}
	set(&k.hash, transforms.HashKey(raw))
	set(&k.id, transforms.IDKey(raw))
	return k
}

func TestNormalizationSQLMatchesGo(t *testing.T) {
	if len(nasty) < 60 {
		t.Fatalf("only %d nasty inputs", len(nasty))
	}
	e := openNorm(t)
	for _, raw := range nasty {
		if got, want := e.sqlNormalize(t, raw), goKeys(raw); got != want {
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
		if got, want := e.sqlNormalize(t, raw), goKeys(raw); got != want {
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
