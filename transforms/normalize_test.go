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
