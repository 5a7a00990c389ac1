// Package redact removes email addresses and phone numbers from text before
// it reaches a log line, an error or the runs table (SPEC §4). Engine error
// messages quote data values, in whatever bytes the data held, so the rules
// are strict and need no boundary around a value:
//
//   - a whitespace-separated token with text on both sides of an "@" is an
//     email (quotes and brackets around it are kept);
//   - a run of digits, possibly joined by phone punctuation, is a phone when
//     it holds 7 or more digits, wherever it starts or ends; the one
//     exception is ISO dates (2026-11-21, or 2026-11-21 10 as in
//     2026-11-21 10:00:00), which never hold 7 digits in a row.
//
// The price is that the program's own numbers of 7 or more digits (a count
// of millions, a byte cap, the date in a run id) are redacted too.
package redact

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

const mask = "[redacted]"

// String returns s with every email-like and phone-like value replaced,
// as valid UTF-8 (a byte that is not UTF-8 becomes U+FFFD).
func String(s string) string {
	return numbers(emails(strings.ToValidUTF8(s, "\uFFFD")))
}

// emails replaces each token (a run of non-space characters) that holds an
// "@" with text on both sides, keeping the quotes or brackets around it.
func emails(s string) string {
	var b strings.Builder
	for len(s) > 0 {
		i := strings.IndexFunc(s, func(r rune) bool { return !unicode.IsSpace(r) })
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		s = s[i:]
		end := strings.IndexFunc(s, unicode.IsSpace)
		if end < 0 {
			end = len(s)
		}
		b.WriteString(email(s[:end]))
		s = s[end:]
	}
	return b.String()
}

func email(tok string) string {
	if len(tok) < 3 || !strings.Contains(tok[1:len(tok)-1], "@") {
		return tok // no "@" with text on both sides
	}
	core := strings.TrimLeft(tok, "'\"`([{<")
	lead := tok[:len(tok)-len(core)]
	core = strings.TrimRight(core, "'\"`)]}>.,;:!?")
	return lead + mask + tok[len(lead)+len(core):]
}

// numbers replaces each run of digits (and phone punctuation between them)
// that holds 7 or more digits, except ISO dates.
func numbers(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		end, digits := runAt(s, i)
		if end == i {
			_, w := utf8.DecodeRuneInString(s[i:])
			b.WriteString(s[i : i+w])
			i += w
			continue
		}
		if digits >= 7 && !isDates(s[i:end]) {
			b.WriteString(mask)
		} else {
			b.WriteString(s[i:end])
		}
		i = end
	}
	return b.String()
}

// runAt returns the end of the digit run starting at s[i] (i itself when
// none starts there) and how many digits it holds. A run may start with
// "+" or "(" and joins digit groups across up to 3 punctuation characters,
// as in +1 (415) 555-0100.
func runAt(s string, i int) (end, digits int) {
	j := i
	if j < len(s) && (s[j] == '+' || s[j] == '(') {
		j++
	}
	end = i
	for {
		k := j
		for k < len(s) {
			r, w := utf8.DecodeRuneInString(s[k:])
			if !unicode.IsDigit(r) {
				break
			}
			digits++
			k += w
		}
		if k == j {
			return end, digits
		}
		end = k
		for n := 0; n < 3 && k < len(s); n++ {
			r, w := utf8.DecodeRuneInString(s[k:])
			if !isPunct(r) {
				break
			}
			k += w
		}
		if k == end {
			return end, digits
		}
		j = k
	}
}

// isPunct reports whether r may stand between the digits of a phone
// number: separators people type (normalization keeps a phone's digits
// whatever stands between them, so 415/555/0199 is a phone too), any
// space (NBSP too), invisible format characters (zero-width space) and
// U+FFFD (a byte that was not UTF-8, such as a Latin-1 NBSP). Not ":",
// which would join the parts of a time.
func isPunct(r rune) bool {
	return strings.ContainsRune("-.()+/\\_,|", r) || unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError
}

// isDates reports whether a run is only ISO dates (or dates written with
// slashes, 2026/11/21, as folders of a path), each maybe with the hour of
// a time after a space (2026-11-21 10 in 2026-11-21 10:00:00), apart by
// punctuation. No date holds more than 4 digits in a row.
func isDates(run string) bool {
	run = strings.TrimLeft(run, "+(")
	for {
		if len(run) < len(time.DateOnly) || !isDate(run[:len(time.DateOnly)]) {
			return false
		}
		run = run[len(time.DateOnly):]
		if len(run) >= 3 && run[0] == ' ' && isDigits(run[1:3]) && (len(run) == 3 || !isDigits(run[3:4])) {
			run = run[3:] // the hour
		}
		run = strings.TrimLeftFunc(run, isPunct)
		if run == "" {
			return true
		}
	}
}

func isDate(s string) bool {
	if !isDigits(s[:4]) || !isDigits(s[5:7]) || !isDigits(s[8:]) || s[4] != s[7] || s[4] != '-' && s[4] != '/' {
		return false
	}
	_, err := time.Parse("2006"+s[4:5]+"01"+s[4:5]+"02", s)
	return err == nil
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}
