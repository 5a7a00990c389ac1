// Package redact removes email addresses and phone numbers from text that
// came from outside the program (engine error messages quote data values), so
// that no raw identifier reaches a log line or an error (SPEC §4). The
// program's own messages never contain identifier values in the first place.
package redact

import (
	"regexp"
	"strings"
)

var (
	emailLike = regexp.MustCompile(`[^\s'"<>(),;:\[\]{}/]+@[^\s'"<>(),;:\[\]{}]+`)
	// A run that starts at a boundary (not inside a path or word) and holds
	// digits with phone punctuation; see isPhone for what counts.
	numberRun = regexp.MustCompile(`(^|[\s'"=:(\[,])(\+?\(?\d[\d\s().\-]*\d)`)
	isoDate   = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}`)
)

// String returns s with every email-like and phone-like value replaced.
func String(s string) string {
	s = emailLike.ReplaceAllString(s, "[redacted]")
	return numberRun.ReplaceAllStringFunc(s, func(m string) string {
		sub := numberRun.FindStringSubmatch(m)
		lead, run := sub[1], sub[2]
		if !isPhone(run) {
			return m
		}
		return lead + "[redacted]"
	})
}

// isPhone reports whether a digit run could be a phone number: seven or more
// digits that are not an ISO date or timestamp.
func isPhone(run string) bool {
	if isoDate.MatchString(strings.TrimLeft(run, "+(")) {
		return false
	}
	digits := 0
	for _, r := range run {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	return digits >= 7
}
