package transforms

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// Zero-width and other invisible format characters around an identifier
// show as nothing and mean nothing: the key is the same as without them (a
// destination that strips them would otherwise match a person we kept).
func TestZeroWidthCharactersAreTrimmed(t *testing.T) {
	for _, zw := range []string{"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u061c", "\u180e",
		"\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"} {
		if got := Trim(zw + "alice@example.com" + zw); got != "alice@example.com" {
			t.Errorf("%U around an email: trimmed to %q", []rune(zw)[0], got)
		}
	}
}

// Trim's fast path returns a value as it is when both its ends are
// printable ASCII: sound only while no such character is a TrimChars.
func TestTrimCharsHoldNoPrintableASCII(t *testing.T) {
	for _, r := range TrimChars {
		if r < 0x80 && printableASCII(byte(r)) {
			t.Errorf("TrimChars holds %q, which Trim's fast path would never trim", r)
		}
	}
}

// Trim gives what strings.Trim over TrimChars gives, fast path or not: at
// either end of printable ASCII, a space, a control or a Unicode space or
// format character, one or several, or nothing but those.
func TestTrimIsStringsTrim(t *testing.T) {
	ends := []string{"", "a", "Z9", " ", "\t", "\x00", "\x7f", "\u00a0", "\u200b", "\ufeff", "\u3000", "é", "\u0085", "~", "!"}
	for _, l := range ends {
		for _, r := range ends {
			for _, mid := range []string{"", "x", "a b", "\u200b", "é@ß.de"} {
				s := l + mid + r
				if got, want := Trim(s), strings.Trim(s, TrimChars); got != want {
					t.Errorf("Trim(%q) = %q, want %q", s, got, want)
				}
			}
		}
	}
}

// plainASCII reads eight bytes at a time: it must answer as the byte loop
// does for every byte value at every place of values of every length up to
// three blocks, in a value of plain characters otherwise.
func TestPlainASCIIByBlocks(t *testing.T) {
	byByte := func(s string) bool {
		for i := 0; i < len(s); i++ {
			if c := s[i]; c >= 0x7f || c < 0x20 && !strings.ContainsRune(" \t\n\r\v\f", rune(c)) {
				return false
			}
		}
		return true
	}
	plain := "john.smith+tag@example.com"
	for n := 0; n <= 24; n++ {
		for at := 0; at < n; at++ {
			for c := 0; c < 256; c++ {
				b := []byte(plain[:n])
				b[at] = byte(c)
				if got, want := plainASCII(string(b)), byByte(string(b)); got != want {
					t.Fatalf("plainASCII(%q) = %v, want %v", b, got, want)
				}
			}
		}
	}
}

// EmailKey reads a plain value (printable ASCII, no space, '<' or ':') in
// one pass, emailKeyPlain: it must answer as the general way does for
// every value it takes, and take the common shapes. The values are
// random mixes (a fixed seed) of up to eight of the parts each rule looks
// at: case, dots, tags, '@', the Gmail domains, and the characters that
// send a value the general way.
func TestEmailKeyPlainAgrees(t *testing.T) {
	parts := []string{"a", "Z", "9", ".", "+", "@", "-", "_", "gmail.com", "GoogleMail.COM", "googlemail.com", "gmail.co",
		"example.org", "x.", "<", ">", ":", "mailto:", " ", "\t", "\x00", "\x7f", "é", "\u00ad", "\u200b", "ß", "K"}
	rng := rand.New(rand.NewPCG(1, 2))
	taken := 0
	check := func(raw string) {
		clean, key, ok, plain := emailKeyPlain(raw)
		if !plain {
			return
		}
		taken++
		wc, wk, wok := emailKeyGeneral(raw)
		if clean != wc || key != wk || ok != wok {
			t.Fatalf("emailKeyPlain(%q) = %q, %q, %v; the general way gives %q, %q, %v", raw, clean, key, ok, wc, wk, wok)
		}
	}
	for _, raw := range []string{"", "a@b.c", "A@B.C", "@x.org", "a@", "a@b", "a@@b.c", "a@b.c@d.e", "a.b@c", ".@gmail.com", "+x@gmail.com",
		"...+@googlemail.com", "J.Doe+news@GMAIL.com", "j.doe@gmail.com.", "a@.", "a@b.", "x@gmail.com", strings.Repeat("a.", 60) + "@gmail.com"} {
		check(raw)
	}
	for range 200_000 {
		var b strings.Builder
		for range 1 + rng.IntN(8) {
			b.WriteString(parts[rng.IntN(len(parts))])
		}
		check(b.String())
	}
	// Every byte at every place of a few addresses: the edges of each byte
	// class (' ', '!', '@', 'A', 'Z', '[', '`', '{', '~', DEL, beyond
	// ASCII) in the local part, the domain and the Gmail fold.
	for _, addr := range []string{"Jo.e+t@Gmail.com", "a.b@example.org", strings.Repeat("x.Y", 30) + "+z@googlemail.com"} {
		for at := range len(addr) {
			for c := range 256 {
				b := []byte(addr)
				b[at] = byte(c)
				check(string(b))
			}
		}
	}
	if taken < 20_000 {
		t.Fatalf("emailKeyPlain took %d values of 200,018: the common shapes go the long way", taken)
	}
	for _, raw := range []string{"dev.374845@icloud.com", "Grace.92+x@GoogleMail.com", "a@b.c"} {
		if _, _, _, plain := emailKeyPlain(raw); !plain {
			t.Errorf("emailKeyPlain does not take %q", raw)
		}
	}
}

// BenchmarkEmailKey times EmailKey over addresses shaped as the generated
// bench data's (docs/performance.md), against the general way alone:
//
//	go test -run '^$' -bench EmailKey -benchmem ./transforms
func BenchmarkEmailKey(b *testing.B) {
	emails := []string{"dev.374845@icloud.com", "grace.9216797@gmail.com", "priya.9899980@yahoo.com", "chloe.9533712@example.org",
		"dev.5499014+news@gmail.com", "ben.9864924@outlook.com", "farid.1663384+news@googlemail.com", "  OLGA.15268@GOOGLEMAIL.COM ",
		"prospect141039@example.net", "luis.7904337@googlemail.com"}
	for _, c := range []struct {
		name string
		fn   func(string) (string, string, bool)
	}{{"EmailKey", EmailKey}, {"general", emailKeyGeneral}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				for _, e := range emails {
					c.fn(e)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(emails)), "ns/email")
			b.ReportMetric(0, "ns/op")
		})
	}
}
