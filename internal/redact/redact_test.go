package redact

import (
	"strings"
	"testing"
)

func TestString(t *testing.T) {
	cases := []struct{ in, want string }{
		{`Conversion Error: Could not convert string 'Jane.Doe+x@Example.com' to INT64`, `Conversion Error: Could not convert string '[redacted]' to INT64`},
		{`value "+1 (415) 555-0100" is bad`, `value "[redacted]" is bad`},
		{`value '4155550100'`, `value '[redacted]'`},
		{`received 2026-11-21 10:00:00 in /data/dt=2026-11-21/part-20261121.parquet`, `received 2026-11-21 10:00:00 in /data/dt=2026-11-21/part-20261121.parquet`},
		{`rows 12 of 345`, `rows 12 of 345`},
	}
	for _, c := range cases {
		if got := String(c.in); got != c.want {
			t.Errorf("String(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
	if strings.Contains(String("mailto:a@b.co"), "a@b.co") {
		t.Error("email after a colon leaked")
	}
}
