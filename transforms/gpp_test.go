package transforms

import (
	"fmt"
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

// fib is n's Fibonacci code as the GPP header writes section IDs: the
// Zeckendorf bits for 1, 2, 3, 5, 8, ... then a closing 1.
func fib(n int) string {
	f := []int{1, 2}
	for f[len(f)-1] <= n {
		f = append(f, f[len(f)-1]+f[len(f)-2])
	}
	bits := make([]byte, len(f))
	for i := len(f) - 1; i >= 0; i-- {
		if f[i] <= n {
			bits[i], n = '1', n-f[i]
		} else {
			bits[i] = '0'
		}
	}
	out := strings.TrimRight(string(bits), "0")
	return out + "1"
}

// header lists the section IDs, each as an offset from the one before.
func header(ids ...int) string {
	h := fmt.Sprintf("000011 000001 %012b", len(ids))
	last := 0
	for _, id := range ids {
		h += " 0 " + fib(id-last)
		last = id
	}
	return enc(h)
}

// stateSection is a US section's core segment of 64 bits in which every
// 2-bit field after the Version holds 1 (a notice given, a sensitive data
// opt-out, ...) except the opt-out fields at offsets, which hold 2 (did
// not opt out), and the one at optedOut (if not -1), which holds 1. A
// decoder reading any other field as an opt-out answers opt_out when it
// should not.
func stateSection(offsets []int, optedOut int) string {
	bits := []byte("000001" + strings.Repeat("01", 29))
	for _, off := range offsets {
		if off != optedOut {
			copy(bits[off:], "10")
		}
	}
	return enc(string(bits))
}

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
		{"one section too many, usnat opted out", enc(hdrUSNat) + "~" + usnat("000001", "01", "10", "10") + "~AAAA", GPPOptOut},
		{"one section too many, usnat not opted out", enc(hdrUSNat) + "~" + usnat("000001", "10", "10", "10") + "~AAAA", GPPInvalid},
		{"core too short for the opt-out fields", enc(hdrUSNat) + "~BVQ", GPPInvalid},
		{"empty", "", GPPInvalid},
		{"unterminated Fibonacci code", enc("000011 000001 000000000001 0 0101010101"), GPPInvalid},
		{"a US Privacy string is not GPP", "1YNN", GPPInvalid},
		{"header built by header()", header(7) + "~" + usnat("000001", "01", "10", "10"), GPPOptOut},

		// uspv1 (6) carries a US Privacy string as text.
		{"uspv1 opted out of sale", header(6) + "~1YYN", GPPOptOut},
		{"uspv1 in lower case", header(6) + "~1yyn", GPPOptOut},
		{"uspv1 not opted out", header(6) + "~1YNN", GPPNoOptOut},
		{"uspv1 not applicable", header(6) + "~1---", GPPNoOptOut},
		{"uspv1 malformed", header(6) + "~1YY", GPPInvalid},
		{"uspv1 version 2", header(6) + "~2YYN", GPPInvalid},
		{"uspv1 malformed, usnat opted out", header(6, 7) + "~1Y~" + usnat("000001", "01", "10", "10"), GPPOptOut},

		// Fail closed: a readable opt-out counts beside a broken part.
		{"usnat opted out, usca cut short", header(7, 8) + "~" + usnat("000001", "01", "10", "10") + "~Bq", GPPOptOut},
		{"usnat opted out, header lists usca too", header(7, 8) + "~" + usnat("000001", "01", "10", "10"), GPPOptOut},
		{"usnat opted out, usca sub-segment not base64url", header(7, 8) + "~" + usnat("000001", "01", "10", "10") + "~" + usca("10", "10") + ".*", GPPOptOut},
		{"usnat not opted out, usca cut short", header(7, 8) + "~" + usnat("000001", "10", "10", "10") + "~Bq", GPPInvalid},
		{"core cut short before TargetedAdvertisingOptOut, SaleOptOut set", header(7) + "~" + enc("000001"+notices+"01 10"), GPPOptOut},
		{"GPC set, core cut short", header(10) + "~" + enc("000001 01 01") + "." + enc("01 1"), GPPOptOut},
		{"unsettled usmd beside usnat not opted out", header(7, 24) + "~" + usnat("000001", "10", "10", "10") + "~" + stateSection(nil, -1), GPPInvalid},
		{"unsettled usmd beside usnat opted out", header(7, 24) + "~" + usnat("000001", "01", "10", "10") + "~" + stateSection(nil, -1), GPPOptOut},
	}
}

// stateSectionVectors: for every US section with opt-out fields, each
// field set on its own, none set, and the GPC sub-segment set and clear.
func stateSectionVectors() []gppVector {
	var out []gppVector
	for id := 6; id <= 30; id++ {
		offsets, us := usOptOutBits[id]
		if !us {
			continue
		}
		h := header(id)
		out = append(out, gppVector{fmt.Sprintf("section %d, no opt-out", id), h + "~" + stateSection(offsets, -1), GPPNoOptOut})
		for _, off := range offsets {
			out = append(out, gppVector{fmt.Sprintf("section %d, opt-out field at bit %d", id, off), h + "~" + stateSection(offsets, off), GPPOptOut})
		}
		out = append(out,
			gppVector{fmt.Sprintf("section %d, GPC set", id), h + "~" + stateSection(offsets, -1) + "." + enc("01 1"), GPPOptOut},
			gppVector{fmt.Sprintf("section %d, GPC clear", id), h + "~" + stateSection(offsets, -1) + "." + enc("01 0"), GPPNoOptOut})
	}
	for _, id := range []int{24, 25, 26, 27} {
		out = append(out, gppVector{fmt.Sprintf("unsettled section %d", id), header(id) + "~" + stateSection(nil, -1), GPPInvalid})
	}
	return out
}

// TestStateSectionVectorsCoverTheTable: every section of usOptOutBits is
// among the vectors, so the BigQuery UDF's copy of the table is held to it.
func TestStateSectionVectorsCoverTheTable(t *testing.T) {
	seen := map[string]bool{}
	for _, v := range stateSectionVectors() {
		seen[strings.SplitN(v.name, ",", 2)[0]] = true
	}
	for id := range usOptOutBits {
		if !seen[fmt.Sprintf("section %d", id)] {
			t.Errorf("section %d has no vector", id)
		}
	}
	if len(usOptOutBits) != 17 {
		t.Errorf("usOptOutBits has %d sections; the vectors were written for 7 through 23", len(usOptOutBits))
	}
}

func TestDecodeGPP(t *testing.T) {
	for _, c := range append(gppVectors(), stateSectionVectors()...) {
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
