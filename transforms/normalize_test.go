package transforms

import "testing"

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
