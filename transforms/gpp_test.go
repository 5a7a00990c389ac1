package transforms

import (
	"strings"
	"testing"
)

// enc writes a bit string ("0101...") as base64url text, zero-padded to a
// multiple of six bits: test strings built by hand from the IAB layouts.
func enc(bits string) string {
	bits = strings.ReplaceAll(bits, " ", "")
	for len(bits)%6 != 0 {
		bits += "0"
	}
	var b strings.Builder
	for i := 0; i < len(bits); i += 6 {
		v := 0
		for _, c := range bits[i : i+6] {
			v = v<<1 | int(c-'0')
		}
		b.WriteByte(base64url[v])
	}
	return b.String()
}

const (
	// type 3, version 1, one entry, not a range, Fibonacci offset.
	hdrUSNat = "000011 000001 000000000001 0 01011"       // section 7 (5+2)
	hdrUSCA  = "000011 000001 000000000001 0 000011"      // section 8
	hdrTCFUS = "000011 000001 000000000010 0 011 0 00011" // 2, then 2+5 = 7
	hdrRange = "000011 000001 000000000001 1 01011 11"    // 7 to 7+1 = 8
	notices  = "01 01 01 01 00 00"                        // usnat's six notice fields
	rest     = "000000000000000000000000000000"
)

func usnat(version, sale, sharing, targeted string) string {
	return enc(version + notices + sale + sharing + targeted + rest)
}

func usca(sale, sharing string) string { return enc("000001" + "01 01 01" + sale + sharing + rest) }

// gppVector is a GPP string and what it decodes to; the BigQuery UDF is
// held to the same vectors (gpp_udf_test.go).
type gppVector struct{ name, gpp, want string }

func gppVectors() []gppVector {
	return []gppVector{
		// The IAB's usnat example: notices given, every opt-out field 2
		// ("did not opt out"), GPC sub-segment present with flag 0.
		{"IAB usnat example", "DBABLA~BVQqAAAAAgA.QA", GPPNoOptOut},
		{"hand-built header equals the example's", enc(hdrUSNat) + "~" + usnat("000001", "10", "10", "10"), GPPNoOptOut},
		{"usnat SaleOptOut", enc(hdrUSNat) + "~" + usnat("000001", "01", "10", "10"), GPPOptOut},
		{"usnat SharingOptOut", enc(hdrUSNat) + "~" + usnat("000001", "10", "01", "10"), GPPOptOut},
		{"usnat TargetedAdvertisingOptOut", enc(hdrUSNat) + "~" + usnat("000001", "10", "10", "01"), GPPOptOut},
		{"usnat v2, same offsets", enc(hdrUSNat) + "~" + usnat("000010", "01", "10", "10"), GPPOptOut},
		{"usnat not applicable (0)", enc(hdrUSNat) + "~" + usnat("000001", "00", "00", "00"), GPPNoOptOut},
		{"usnat GPC sub-segment set", enc(hdrUSNat) + "~" + usnat("000001", "10", "10", "10") + "." + enc("01 1"), GPPOptOut},
		{"usnat GPC sub-segment clear", enc(hdrUSNat) + "~" + usnat("000001", "10", "10", "10") + "." + enc("01 0"), GPPNoOptOut},
		{"usca SaleOptOut", enc(hdrUSCA) + "~" + usca("01", "10"), GPPOptOut},
		{"usca SharingOptOut", enc(hdrUSCA) + "~" + usca("10", "01"), GPPOptOut},
		{"usca no opt-out", enc(hdrUSCA) + "~" + usca("10", "10"), GPPNoOptOut},
		{"TCF then usnat opted out", enc(hdrTCFUS) + "~" + enc("000010"+rest) + "~" + usnat("000001", "01", "10", "10"), GPPOptOut},
		{"range 7-8, usca opted out", enc(hdrRange) + "~" + usnat("000001", "10", "10", "10") + "~" + usca("01", "10"), GPPOptOut},
		{"a section that is not US only", enc("000011 000001 000000000001 0 011") + "~" + enc("000010"+rest), GPPNoOptOut},
		{"surrounding spaces", "  DBABLA~BVQqAAAAAgA.QA ", GPPNoOptOut},
		{"not base64url", "DBAB!A~BVQqAAAAAgA", GPPInvalid},
		{"header type 2", enc("000010 000001 000000000001 0 01011") + "~" + usnat("000001", "01", "10", "10"), GPPInvalid},
		{"sections missing", enc(hdrUSNat), GPPInvalid},
		{"one section too many", enc(hdrUSNat) + "~" + usnat("000001", "01", "10", "10") + "~AAAA", GPPInvalid},
		{"core too short for the opt-out fields", enc(hdrUSNat) + "~BVQ", GPPInvalid},
		{"empty", "", GPPInvalid},
		{"unterminated Fibonacci code", enc("000011 000001 000000000001 0 0101010101"), GPPInvalid},
		{"a US Privacy string is not GPP", "1YNN", GPPInvalid},
	}
}

func TestDecodeGPP(t *testing.T) {
	for _, c := range gppVectors() {
		if got := DecodeGPP(c.gpp); got != c.want {
			t.Errorf("%s: DecodeGPP(%q) = %s, want %s", c.name, c.gpp, got, c.want)
		}
	}
	// The example's header is ours plus six zero bits of padding.
	if enc(hdrUSNat)+"A" != "DBABLA" {
		t.Errorf("the hand encoder gives %s for the example's header", enc(hdrUSNat))
	}
}

func FuzzDecodeGPP(f *testing.F) {
	for _, s := range []string{"DBABLA~BVQqAAAAAgA.QA", "DBABMA~CPXxRfAPXxRfAAfKABENB", "", "~", "DBACNYA~CPXxRfAPXxRfAAfKABENB~1YNN", "D~~~.."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		switch DecodeGPP(s) {
		case GPPOptOut, GPPNoOptOut, GPPInvalid:
		default:
			t.Fatalf("DecodeGPP(%q) returned something else", s)
		}
	})
}
