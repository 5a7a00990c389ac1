// Package redact removes email addresses and phone numbers from text before
// it reaches a log line, an error or the runs table (SPEC §4). Engine error
// messages quote data values, in whatever bytes the data held, so the rules
// are strict and need no boundary around a value:
//
//   - a whitespace-separated token with text on both sides of an "@" is an
//     email (quotes and brackets around it are kept);
//   - a run of digits, possibly joined by phone punctuation, is a phone when
//     it holds 7 or more digits besides its dates, wherever it starts or
//     ends: dates (2026-11-21, 2026/11/21) never hold more than
//     4 digits in a row, so a date with the hour after it (2026-11-21 10 of
//     2026-11-21 10:00:00) or a folder below it is no phone.
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

// Emails returns s with every email-like token replaced, numbers left as
// they are: for a value that is often a long number and never a phone by
// design (a request id on the dashboard), where String would hide it.
func Emails(s string) string { return emails(strings.ToValidUTF8(s, "\uFFFD")) }

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
// that holds 7 or more digits besides its dates.
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
		if digits >= 7 && digitsBesideDates(s[i:end]) >= 7 {
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
// which would join the parts of a time, nor "_", which would join the
// parts of a file name (Hive's 000000_0) that errors must give.
func isPunct(r rune) bool {
	return strings.ContainsRune("-.()+/\\,|;~#*=", r) || unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError
}

// digitsBesideDates counts the digits of a run that are not part of a
// date (2026-11-21, or 2026/11/21 as folders of a path) standing apart
// from other digits. No date holds more than 4 digits in a row, so a date
// and the hour after it (2026-11-21 10 of 2026-11-21 10:00:00) or the
// folders below it (2026-11-21/10/) are not a phone.
func digitsBesideDates(run string) int {
	n, afterDigit := 0, false
	for i := 0; i < len(run); {
		if !afterDigit && len(run)-i >= len(time.DateOnly) && isDate(run[i:i+len(time.DateOnly)]) &&
			(len(run)-i == len(time.DateOnly) || !isDigits(run[i+len(time.DateOnly):i+len(time.DateOnly)+1])) {
			i += len(time.DateOnly)
			afterDigit = true
			continue
		}
		r, w := utf8.DecodeRuneInString(run[i:])
		afterDigit = unicode.IsDigit(r)
		if afterDigit {
			n++
		}
		i += w
	}
	return n
}

// isDate: YYYY-MM-DD or YYYY/MM/DD with a month 01-12 and a day 01-31,
// whether or not the month has that day: a mistyped --date 2026-02-29 is
// shown to the one who typed it, not masked as a phone.
func isDate(s string) bool {
	if !isDigits(s[:4]) || !isDigits(s[5:7]) || !isDigits(s[8:]) || s[4] != s[7] || !strings.ContainsRune("-/", rune(s[4])) {
		return false
	}
	month, day := s[5:7], s[8:]
	return month >= "01" && month <= "12" && day >= "01" && day <= "31"
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}
