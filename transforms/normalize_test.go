package transforms

import (
	"regexp"
	"testing"
)

// trimPattern must remove exactly what Trim removes: a character of
// TrimChars that is special inside a character class would break it.
func TestTrimPatternIsTrim(t *testing.T) {
	re := regexp.MustCompile(trimPattern)
	for _, s := range []string{"", "a", " a ", "\u00a0\u3000a b\ufeff\n", " \t\u2003\ufeff\n", "a\u200bb", "-]^\\", "\u0085x\u0085"} {
		if got, want := re.ReplaceAllString(s, ""), Trim(s); got != want {
			t.Errorf("%q: pattern gives %q, Trim %q", s, got, want)
		}
	}
}

// Zero-width characters around an identifier show as nothing and mean
// nothing: the key is the same as without them (a destination that strips
// them would otherwise match a person we kept).
func TestZeroWidthCharactersAreTrimmed(t *testing.T) {
	for _, zw := range []string{"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"} {
		if got := Trim(zw + "alice@example.com" + zw); got != "alice@example.com" {
			t.Errorf("%U around an email: trimmed to %q", []rune(zw)[0], got)
		}
	}
}
