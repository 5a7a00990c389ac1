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
