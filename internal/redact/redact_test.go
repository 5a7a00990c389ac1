package redact

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestString(t *testing.T) {
	cases := []struct{ in, want string }{
		{`Conversion Error: Could not convert string 'Jane.Doe+x@Example.com' to INT64`, `Conversion Error: Could not convert string '[redacted]' to INT64`},
		{`value "+1 (415) 555-0100" is bad`, `value "[redacted]" is bad`},
		{`value '4155550100'`, `value '[redacted]'`},
		{`mailto:a@b.co`, `[redacted]`},
		{`<jane@example.com>, next`, `<[redacted]>, next`},
		// The case: a Latin-1 NBSP (0xA0, not UTF-8) before the digits.
		{"Invalid Input Error: Invalid string encoding found in Parquet file \"/d/c.parquet\": value \"\xA04155550123\" is not valid UTF8!",
			"Invalid Input Error: Invalid string encoding found in Parquet file \"/d/c.parquet\": value \"\uFFFD[redacted]\" is not valid UTF8!"},
		// DuckDB's escaped rendering of the same bytes: a letter before the digits.
		{`value "\xA04155550123"`, `value "\xA[redacted]"`},
		{"x\u00a0415\u200b555\u00a00123y", "x\u00a0[redacted]y"},
		{`id C4155550123 and jane4155550123`, `id C[redacted] and jane[redacted]`},
		{`phone=415.555.0100;`, `phone=[redacted];`},
		// Any separator a phone's digits may have (an audit: an XDM
		// timestamp field holding one was printed in the clear).
		{`invalid timestamp field format: "415/555/0199"`, `invalid timestamp field format: "[redacted]"`},
		{`b 415|555|0199 c 415\555\0199 d 415,555,0199`, `b [redacted] c [redacted] d [redacted]`},
		// Not across _, which joins the parts of file names (Hive's 000000_0).
		{`file /warehouse/customers/000000_0`, `file /warehouse/customers/000000_0`},
		{`e 415;555;0199 f 415~555~0199 g 415#555#0199 h 415*555*0199 i 415=555=0199`, `e [redacted] f [redacted] g [redacted] h [redacted] i [redacted]`},
		// A path's date folders and names stay readable (SPEC §7: errors name the file).
		{`in /data/customers/2026/11/21/part-0.parquet at 10:00:00`, `in /data/customers/2026/11/21/part-0.parquet at 10:00:00`},
		{`/data/2026-11-21/10/part-0.parquet /lake/2026/11/21/10/x batch_2026_11_21_1200.parquet`, `/data/2026-11-21/10/part-0.parquet /lake/2026/11/21/10/x batch_2026_11_21_1200.parquet`},
		// Digits beside a date are still counted.
		{`2026-11-21/4155550123`, `[redacted]`},
		{`12026-11-21`, `[redacted]`},
		// The program's own text stays readable: dates, times, partitions, small numbers.
		{`received 2026-11-21 10:00:00 in /data/dt=2026-11-21/snapshot=2026-09-01/part-0.parquet`, `received 2026-11-21 10:00:00 in /data/dt=2026-11-21/snapshot=2026-09-01/part-0.parquet`},
		{`at 2026-11-20T01:02:03Z, more than its freshness 48h0m0s`, `at 2026-11-20T01:02:03Z, more than its freshness 48h0m0s`},
		{`--from 2026-11-19 --to 2026-11-21 (2026-11-20)`, `--from 2026-11-19 --to 2026-11-21 (2026-11-20)`},
		// A date the calendar lacks is still a date: a mistyped --date
		// was masked as a phone to the one who typed it.
		{`--date is "2026-02-29"`, `--date is "2026-02-29"`},
		{`--date is "2026-13-01" or 2026-04-32`, `--date is "[redacted]" or [redacted]`},
		{`input web_form: 12 of 345 rows (3.48%) are unusable, more than 0.01`, `input web_form: 12 of 345 rows (3.48%) are unusable, more than 0.01`},
		{`cells beginning with = + - @ get a quote`, `cells beginning with = + - @ get a quote`},
		// Seven digits or more of the program's own are redacted too (docs/decisions.md).
		{`run 20261121T074339-43ede04a`, `run [redacted]T[redacted]ede04a`},
		{`12 of 1500000 rows`, `12 of [redacted] rows`},
		// Not a date: digits run on past it.
		{`2026-11-214155550123`, `[redacted]`},
		{`2026-11-21 4155550123`, `[redacted]`},
	}
	for _, c := range cases {
		if got := String(c.in); got != c.want {
			t.Errorf("String(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

// FuzzRedact checks the redactor's one promise: an email-shaped value or a
// run of 7 or more digits never survives, whatever bytes come before and
// after it (invalid UTF-8, NBSP, zero-width characters, letters, digits,
// other identifiers), and what comes out is valid UTF-8. The fuzzer's
// strings are made into identifiers: their digits for the phone, their
// email-legal characters for the local part and domain of the email.
func FuzzRedact(f *testing.F) {
	for _, seed := range [][3]string{
		{"value \"\xA0", "4155550123", "\" is not valid UTF8!"},
		{`value "\xA0`, "4155550123", `"`},
		{"\u00a0", "4155550123", "\u00a0"},
		{"\u200b", "jane.doe+tag", "\u200bexample"},
		{"dt=2026-11-2", "1234567", "-11-21"},
		{"2026-11-21 ", "4155550123", ":00:00"},
		{"abc", "o'neil", "xyz"},
		{"'", "{x}", "'"},
		{"@", "@", "@"},
		{"\xff\xfe", "", "\xc3"},
	} {
		f.Add(seed[0], seed[1], seed[2])
	}
	f.Fuzz(func(t *testing.T, a, v, b string) {
		phone := keep(v, "0123456789")
		if len(phone) < 7 {
			phone += "4155550123"[len(phone):]
		}
		local := keep(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.!#$%&'*+/=?^_`{|}~-")
		if local == "" {
			local = "jane"
		}
		domain := keep(v, "abcdefghijklmnopqrstuvwxyz0123456789-")
		if domain == "" {
			domain = "example"
		}
		formatted := "+1 (" + phone[:3] + ") " + phone[3:6] + "-" + phone[6:]
		for _, id := range []string{phone, formatted, local + "@" + domain + ".com"} {
			out := String(a + id + b)
			if strings.Contains(out, id) {
				t.Fatalf("String(%q) = %q keeps %q", a+id+b, out, id)
			}
			if !utf8.ValidString(out) {
				t.Fatalf("String(%q) = %q is not valid UTF-8", a+id+b, out)
			}
		}
	})
}

// keep returns the bytes of s that are in chars.
func keep(s, chars string) string {
	return strings.Map(func(r rune) rune {
		if r < utf8.RuneSelf && strings.ContainsRune(chars, r) {
			return r
		}
		return -1
	}, s)
}
