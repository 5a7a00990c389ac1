package transforms

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The Go reference implementation of SPEC §4. The engines normalize in SQL
// (sql/macros.sql); these functions exist to test that SQL against, and both
// read the same constants below so the rules cannot drift apart.

// TrimChars is the set of characters trimmed from every identifier and
// vocabulary value: ASCII white space plus the Unicode spaces, the zero-width
// characters (space, non-joiner, joiner, word joiner), the byte-order mark,
// and the invisible format characters that copy-pasted and right-to-left
// text carries: the soft hyphen, the Mongolian vowel separator, and the
// bidirectional marks, embeddings, overrides and isolates (U+061C,
// U+200E–U+200F, U+202A–U+202E, U+2066–U+2069), and the control
// characters (controlChars). Trimming only ASCII would leave
// "a@b.com\u00a0" a distinct, never-matching key, and the person behind it
// in an export.
const TrimChars = " \t\n\r\v\f\u0085\u00a0\u00ad\u061c\u1680\u180e\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b\u200c\u200d\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u202f\u205f\u2060\u2066\u2067\u2068\u2069\u3000\ufeff" + controlChars

// controlChars are the C0 and C1 control characters that are not white
// space (U+0000–U+0008, U+000E–U+001F, U+007F–U+009F but U+0085) and DEL:
// they show as nothing, a fixed-width or CHAR(n) column pads with NUL, and
// a reader that stops at a NUL sees the address before it. Left in, they
// made "alice@example.com\x00" a key of its own, and alice's row left in
// an export.
const controlChars = "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f" +
	"\u0080\u0081\u0082\u0083\u0084\u0086\u0087\u0088\u0089\u008a\u008b\u008c\u008d\u008e\u008f" +
	"\u0090\u0091\u0092\u0093\u0094\u0095\u0096\u0097\u0098\u0099\u009a\u009b\u009c\u009d\u009e\u009f"

// InvisibleChars are the members of TrimChars that are not spaces but
// format or control characters: they show as nothing, so inside an email
// they are dropped wherever they are ("bob\u200b@example.com" is bob's
// address to any reader and to a destination that strips them).
const InvisibleChars = "\u00ad\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff" + controlChars

// The regular expressions of the BigQuery functions' email and phone
// reading (sql/macros.bigquery.sql), the same rules as CleanEmail and
// PhoneE164 read with code; the nasty-identifier table holds the two to
// the same answers.
var (
	// TrimRE: the TrimChars at either end (BigQuery's trim: its TRIM would
	// take them as a string, and the emulator cuts a string at a NUL).
	TrimRE = `^` + RegexClass(TrimChars) + `+|` + RegexClass(TrimChars) + `+$`
	// AngleAddressRE: the address of "Name <address>", trimmed, as group 1;
	// only when the name holds no '@' (CleanEmail).
	AngleAddressRE = `^[^@]*<` + RegexClass(TrimChars) + `*([^<]*?)` + RegexClass(TrimChars) + `*>$`
	// MailtoPrefixRE: a leading "mailto:" and the trim after it, and the
	// one space the angle address's replacement leaves after group 1 (the
	// emulator loses a group reference that ends a replacement).
	MailtoPrefixRE = `^mailto:` + RegexClass(TrimChars) + `*| $`
	// PhoneInternationalRE: a phone that says its country code (PhoneE164).
	PhoneInternationalRE = `^'?(?i:tel:)?\(?\+`
	// PhoneExtensionRE: a phone's number as group 1, the extension after.
	PhoneExtensionRE = `^([^0-9]*[0-9][^xX#;]*)[xX#;][\s\S]*$`
	// PhoneSecondNumberRE: what follows the first extension mark holds more
	// digits than an extension has (maxExtensionDigits): a second number.
	PhoneSecondNumberRE = `^[^0-9]*[0-9][^xX#;]*[xX#;](?:[^0-9]*[0-9]){7}`
	// PhoneOtherDigitRE: a decimal digit beyond ASCII (otherDigit).
	PhoneOtherDigitRE = `[^\P{Nd}0-9]`
	// UUIDRE: a device id written as a UUID (DeviceKey).
	UUIDRE = `^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$`
)

// RegexClass is the regular expression class of the characters of chars,
// each written as an escape (\x{hex}): the pattern holds no control or
// invisible character of its own.
func RegexClass(chars string) string {
	var b strings.Builder
	b.WriteByte('[')
	for _, r := range chars {
		fmt.Fprintf(&b, `\x{%x}`, r)
	}
	b.WriteByte(']')
	return b.String()
}

// Gmail domains whose local part is folded.
const (
	gmail      = "gmail.com"
	googlemail = "googlemail.com"
)

// Key is one identifier key: a kind and a normalized value.
type Key struct{ Kind, Value string }

// Trim removes TrimChars from both ends.
func Trim(s string) string {
	// Nearly every value begins and ends with a printable ASCII character,
	// which TrimChars does not hold (TestTrimCharsHoldNoPrintableASCII):
	// it is returned as it is, without strings.Trim's look-up of each end
	// in the Unicode set (22 -> 2 ns a value, and Trim is under every key).
	if n := len(s); n > 0 && printableASCII(s[0]) && printableASCII(s[n-1]) {
		return s
	}
	return strings.Trim(s, TrimChars)
}

// printableASCII says whether byte c is a printable ASCII character other
// than the space. A UTF-8 string's first or last byte that is one is the
// whole first or last character.
func printableASCII(c byte) bool { return c > ' ' && c < 0x7f }

// StateCode is a state as the engines normalize it: trimmed, and
// upper-cased when ASCII; "" when blank. Beyond ASCII the engines' UPPER
// differ (DuckDB maps ß to ẞ and leaves ﬂ, BigQuery writes SS and FL),
// and no US state code is there, so such a value is kept as written.
func StateCode(raw string) string {
	t := Trim(raw)
	for i := 0; i < len(t); i++ {
		if t[i] >= utf8.RuneSelf {
			return t
		}
	}
	return strings.ToUpper(t)
}

// Lower lowercases the way the engines do (simple Unicode case mapping).
func Lower(s string) string { return strings.ToLower(s) }

// SHA256Hex is the lowercase hex SHA-256 of s.
func SHA256Hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// CleanEmail reads the address a raw email value holds: composed (Unicode
// NFC, so "é" typed as e + U+0301 is the same address), trimmed,
// lowercased, without its invisible format characters anywhere
// (InvisibleChars), the address inside "Name <address>" when the value
// ends with one, and without a leading "mailto:" (trimmed again after).
// A name that holds an '@' is no name: "Bob <bob@x.com>, Al <al@y.org>"
// and "bob@x.com <al@y.org>" are two addresses in one cell, invalid (two
// '@') as SPEC §4 reads them. Taking the last would key the row by Al
// alone, and send Bob's address out after Bob opted out.
func CleanEmail(raw string) string {
	var e string
	if plainASCII(raw) { // nearly every address: composed, and no format or control character
		e = Lower(Trim(raw))
	} else {
		e = strings.Map(func(r rune) rune {
			if strings.ContainsRune(InvisibleChars, r) {
				return -1
			}
			return r
		}, Lower(Trim(norm.NFC.String(raw))))
	}
	if open := strings.LastIndexByte(e, '<'); open >= 0 && strings.HasSuffix(e, ">") && !strings.Contains(e[:open], "@") {
		e = Trim(e[open+1 : len(e)-1])
	}
	if strings.HasPrefix(e, "mailto:") {
		e = Trim(e[len("mailto:"):])
	}
	return e
}

// plainASCII says whether s has no byte outside ASCII and no control
// character but white space: such a value is already NFC and holds no
// InvisibleChars.
func plainASCII(s string) bool {
	// Eight bytes at a time while none is DEL or beyond ASCII and none is a
	// control character (below 0x20): the rest, and a block that holds one
	// of those, byte by byte (TestPlainASCIIByBlocks).
	i := 0
	for ; i+8 <= len(s); i += 8 {
		v := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		const ones, highs = 0x0101010101010101, 0x8080808080808080
		if (v|(v+ones))&highs != 0 || (v-0x20*ones)&^v&highs != 0 {
			break
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c >= 0x7f || c < 0x20 && !strings.ContainsRune(" \t\n\r\v\f", rune(c)) {
			return false
		}
	}
	return true
}

// EmailValid: exactly one '@', text on both sides, a dot in the domain.
func EmailValid(e string) bool {
	local, domain, ok := strings.Cut(e, "@")
	return ok && local != "" && domain != "" && !strings.Contains(domain, "@") && strings.Contains(domain, ".")
}

// FoldEmail applies the Gmail rule to a clean, valid address: the local part
// loses its dots and everything from the first '+', googlemail becomes gmail.
func FoldEmail(e string) string {
	local, domain, _ := strings.Cut(e, "@")
	if domain != gmail && domain != googlemail {
		return e
	}
	local, _, _ = strings.Cut(local, "+")
	return strings.ReplaceAll(local, ".", "") + "@" + gmail
}

// EmailKey returns the clean address of a raw email and its key, the
// folded address; ok is false when the address is invalid or its folded
// local part is empty (no key).
func EmailKey(raw string) (clean, key string, ok bool) {
	if clean, key, ok, plain := emailKeyPlain(raw); plain {
		return clean, key, ok
	}
	return emailKeyGeneral(raw)
}

// emailKeyGeneral is EmailKey for any value, by its definition.
func emailKeyGeneral(raw string) (clean, key string, ok bool) {
	e := CleanEmail(raw)
	if !EmailValid(e) {
		return e, "", false
	}
	f := FoldEmail(e)
	if strings.HasPrefix(f, "@") {
		return e, "", false
	}
	return e, f, true
}

// emailKeyPlain is EmailKey for the values nearly every address is:
// printable ASCII without a space, '<' or ':' (plain says so), so with
// nothing to trim, compose, strip, unwrap or take past "mailto:". It reads
// the value once and makes the strings it returns and no other (but for a
// Gmail local part over 64 bytes), where the
// general way (emailKeyGeneral) lower-cases, cuts and folds in passes of
// their own: 84-90 against 114 ns an address in BenchmarkEmailKey, and
// 175 against 206 ns a value of the bench's list rental through DuckDB,
// the column's read included (the least of five runs each). EmailKey
// takes the general way for every other value; TestEmailKeyPlainAgrees
// holds the two ways to one result.
func emailKeyPlain(raw string) (clean, key string, ok, plain bool) {
	at, ats, lastDot, upper := -1, 0, -1, false
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case c <= ' ' || c >= 0x7f || c == '<' || c == ':':
			return "", "", false, false
		case c >= 'A' && c <= 'Z':
			upper = true
		case c == '@':
			if ats == 0 {
				at = i
			}
			ats++
		case c == '.':
			lastDot = i
		}
	}
	if len(raw) == 0 {
		return "", "", false, false
	}
	clean = raw
	if upper {
		b := []byte(raw)
		for i, c := range b {
			if c >= 'A' && c <= 'Z' {
				b[i] = c + 'a' - 'A'
			}
		}
		clean = string(b)
	}
	// EmailValid: one '@', with a local part before it and a domain with
	// a dot after it.
	if ats != 1 || at == 0 || lastDot < at {
		return clean, "", false, true
	}
	local, domain := clean[:at], clean[at+1:]
	if domain != gmail && domain != googlemail {
		return clean, clean, true, true
	}
	// FoldEmail: the local part up to its first '+', without its dots.
	var buf [64]byte
	folded := buf[:0]
	for i := 0; i < len(local) && local[i] != '+'; i++ {
		if local[i] != '.' {
			folded = append(folded, local[i])
		}
	}
	if len(folded) == 0 {
		return clean, "", false, true
	}
	return clean, string(append(append(folded, '@'), gmail...)), true, true
}

// EmailKeys returns the keys of a raw email: the folded email and the
// email_sha256 of the unfolded (and, when different, the folded) address.
// An address that yields no EmailKey has none.
func EmailKeys(raw string) []Key {
	e, f, ok := EmailKey(raw)
	if !ok {
		return nil
	}
	keys := []Key{{"email", f}, {"email_sha256", SHA256Hex(e)}}
	if f != e {
		keys = append(keys, Key{"email_sha256", SHA256Hex(f)})
	}
	return keys
}

// PhoneE164 normalizes a raw phone to "+digits", or "" when invalid: keep the
// ASCII digits of the number; a value written with a leading '+' is already
// international and is kept as is; otherwise 10 digits get the prefix 1 and
// 11 digits starting with 1 are kept; the result must have 8 to 15 digits.
// The number ends before an extension: at the first 'x', 'X', '#' or ';'
// after a digit ("ext. 22", "x22", "#22", ";ext=22"). An extension has at
// most maxExtensionDigits digits: more after the mark is a second number
// ("415-555-0101;212-555-0102"), and the value is invalid, as its 20
// digits are (cut there, the row would be keyed by the first number alone
// and carry the second, maybe opted out, to the export). In an international
// value the national trunk prefix written as "(0)" is no digit of the
// number ("+44 (0) 20 7946 0958"). A value is international when its '+'
// comes first, after a "tel:" (an RFC 3966 URI, any case) and one "("
// at most (PhoneInternationalRE): "tel:+44-7700-900123" and
// "(+44) 7700 900123" are UK numbers, not invalid ones. A spreadsheet's
// text marker "'" may come before all of them: "'+45 12 34 56 78" is the
// Danish number a guarded CSV export writes for "+45 12 34 56 78", which
// the leak check, reading the cell as written, took for the US number
// +14512345678 (an oracle probe, 2026-12-07: a correct run failed).
func PhoneE164(raw string) string {
	t := Trim(raw)
	if !plainASCII(t) && otherDigit(t) {
		return ""
	}
	intl := phoneInternational(t)
	var buf [24]byte
	d := buf[:0]
	for i, seen := 0, false; i < len(t); i++ { // one pass: most values are short and plain
		switch c := t[i]; {
		case c >= '0' && c <= '9':
			d, seen = append(d, c), true
		case intl && c == '(' && strings.HasPrefix(t[i:], "(0)"):
			i, seen = i+2, true
		case seen && (c == 'x' || c == 'X' || c == '#' || c == ';'):
			if digits(t[i+1:]) > maxExtensionDigits {
				return ""
			}
			i = len(t)
		}
	}
	var out [32]byte // the result, made on the stack: one allocation, the string
	e164 := append(out[:0], '+')
	switch {
	case intl:
	case len(d) == 10:
		e164 = append(e164, '1')
	case len(d) == 11 && d[0] == '1':
	default:
		return ""
	}
	e164 = append(e164, d...)
	if n := len(e164) - 1; n < 8 || n > 15 {
		return ""
	}
	return string(e164)
}

// otherDigit says whether s holds a decimal digit beyond ASCII (a
// full-width ２, an Arabic-Indic ٢): PhoneE164 keeps ASCII digits only, and
// "+44 ２０ 7946 0958" read so is "+4479460958", another valid number.
// Such a phone is invalid (PhoneOtherDigitRE on BigQuery).
func otherDigit(s string) bool {
	for _, r := range s {
		if r > 0x7f && unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// maxExtensionDigits is the most digits a phone's extension has
// (PhoneE164, PhoneSecondNumberRE).
const maxExtensionDigits = 6

// digits counts the ASCII digits of s.
func digits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	return n
}

// phoneInternational reports whether trimmed phone t says its country
// code: PhoneInternationalRE without a regular expression (PhoneE164 runs
// for every phone of every row).
func phoneInternational(t string) bool {
	t = strings.TrimPrefix(t, "'")
	if len(t) >= 4 && strings.EqualFold(t[:4], "tel:") {
		t = t[4:]
	}
	return strings.HasPrefix(strings.TrimPrefix(t, "("), "+")
}

// PhoneKeys returns the phone key and its phone_sha256 (SPEC §4: of the
// E.164 number) and, as a second phone_sha256, the hash of its digits
// without '+': Meta's form, which request logs and audiences built for Meta
// hold. The same number either way, so a request or export row that gives
// that hash is the phone's. Without it, a request giving Meta's hash kept
// the row (no key in common) while a hashed Meta export wrote that very
// hash, so its leak check failed every night, and a plain export carrying
// Meta's hash of an opted-out number shipped the row with exit 0.
func PhoneKeys(raw string) []Key {
	p := PhoneE164(raw)
	if p == "" {
		return nil
	}
	return []Key{{"phone", p}, {"phone_sha256", SHA256Hex(p)}, {"phone_sha256", SHA256Hex(p[1:])}}
}

// HashKey normalizes a given email_sha256 / phone_sha256: trimmed, lowercased,
// exactly 64 hex characters, else "".
func HashKey(raw string) string {
	h := Lower(Trim(raw))
	if len(h) != 64 {
		return ""
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return ""
		}
	}
	return h
}

// IDKey normalizes customer_id and cookie_id: trimmed, empty is "".
func IDKey(raw string) string { return Trim(raw) }

// uuidForm is a device id written as a UUID (IDFA, AAID): hexadecimal,
// which no system tells apart by case.
var uuidForm = regexp.MustCompile(UUIDRE)

// DeviceKey normalizes device_id: trimmed, empty is "", and lowercased
// when it is a UUID (Apple writes IDFAs in upper case, Google AAIDs in
// lower: the same device either way). The UUID of zeros is "" too: it is
// what iOS and Android give every device whose user limited ad tracking,
// no device of its own. As a key it joined every such row to one person,
// and a stranger's later opt_in through it undid an opt-out.
func DeviceKey(raw string) string {
	t := Trim(raw)
	if len(t) == 36 && uuidForm.MatchString(t) {
		if t == ZeroUUID {
			return ""
		}
		return Lower(t)
	}
	return t
}

// ZeroUUID is the advertising id of a device that shares none (DeviceKey).
const ZeroUUID = "00000000-0000-0000-0000-000000000000"

// Word normalizes vocabulary values (categories, request_type, status, source).
func Word(raw string) string { return Lower(Trim(raw)) }
