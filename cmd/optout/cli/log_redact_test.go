package cli

import (
	"errors"
	"strings"
	"testing"
)

// TestLoggedErrorsAreRedacted: an error logged as an attribute anywhere
// (not only the final "run failed") passes the redactor.
func TestLoggedErrorsAreRedacted(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		var buf strings.Builder
		log, err := (&common{logLevel: "info", logFormat: format}).logger(&buf)
		if err != nil {
			t.Fatal(err)
		}
		log.Error("could not write the runs row", "error", errors.New("Invalid UTF8 found in string \"\xA04155550123\""))
		if strings.Contains(buf.String(), "4155550123") || !strings.Contains(buf.String(), "[redacted]") {
			t.Errorf("%s log shows the phone number: %s", format, buf.String())
		}
	}
}

// TestUsageErrorsAreRedacted: a stray email or phone on the command line
// (an unquoted argument, a value given to the wrong flag) is not echoed
// raw in the usage error, whichever command it goes to.
func TestUsageErrorsAreRedacted(t *testing.T) {
	demo := "../../../testdata/demo/optout.yaml"
	for _, args := range [][]string{
		{"explain", "--config", demo, "--date", "2026-11-21", "--email", "alice@example.com", "bob@example.com"},
		{"explain", "--config", demo, "--email", "alice@example.com", "--date", "bob@example.com"},
		{"explain", "--config", "bob@example.com", "--date", "2026-11-21", "--email", "alice@example.com"},
		{"backfill", "--config", demo, "--from", "bob@example.com", "--to", "2026-11-21"},
		{"backfill", "--config", demo, "--from", "2026-11-20", "--to", "2026-11-21", "bob@example.com"},
		{"plan", "--config", demo, "--date", "2026-11-21", "4155550101"},
		{"validate", "--config", demo, "bob@example.com"},
		{"bob@example.com"},
	} {
		code, _, stderr := run(t, args...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2 (usage)\n%s", args, code, stderr)
		}
		if strings.Contains(stderr, "bob@example.com") || strings.Contains(stderr, "4155550101") || !strings.Contains(stderr, "[redacted]") {
			t.Errorf("%v: stderr echoes the identifier or redacts nothing:\n%s", args, stderr)
		}
	}
}
