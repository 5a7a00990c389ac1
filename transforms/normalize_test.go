package transforms

import (
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
