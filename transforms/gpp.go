package transforms

import (
	"errors"
	"fmt"
	"strings"
)

// The IAB Global Privacy Platform string (SPEC §3.1): a header section,
// then one section per ID the header lists, separated by '~'. Each section
// is base64url text of a bit string; a section's sub-segments follow '.'.
// Only the US sections matter here: usnat (7), usca (8), the state
// sections that followed them, and uspv1 (6), which carries a US Privacy
// string as plain text.

// GPP decoding results, as the engines' optout_gpp function returns them.
const (
	GPPOptOut   = "opt_out"    // a US section opted out of sale, sharing or targeted ads, or its GPC flag is set
	GPPNoOptOut = "no_opt_out" // valid, and no opting-out US field
	GPPInvalid  = "invalid"    // no opt-out found, and a part this decoder cannot read (quarantined as bad_gpp)
)

// gppUSPV1 is the section holding a US Privacy string ("1YNN").
const gppUSPV1 = 6

// usOptOutBits are, per US section ID, the bit offsets in its core segment
// of the 2-bit SaleOptOut, SharingOptOut and TargetedAdvertisingOptOut
// fields it has (value 1 = opted out), as the IAB's reference encoders
// (iabgpp-es, iabgpp-java) lay them out. The offsets follow the six-bit
// Version and the section's notice fields: usnat has six notices, usca
// three, the state sections three (SharingNotice or ProcessingNotice,
// SaleOptOutNotice, TargetedAdvertisingOptOutNotice), Utah and Iowa four.
// usnat v2 lengthened only fields after these, so v1 and v2 share them.
var usOptOutBits = map[int][]int{
	7:  {18, 20, 22}, // usnat: SaleOptOut, SharingOptOut, TargetedAdvertisingOptOut
	8:  {12, 14},     // usca: SaleOptOut, SharingOptOut
	9:  {12, 14},     // usva: SaleOptOut, TargetedAdvertisingOptOut (so on below)
	10: {12, 14},     // usco
	11: {14, 16},     // usut
	12: {12, 14},     // usct
	13: {12, 14},     // usfl
	14: {12, 14},     // usmt
	15: {12, 14},     // usor
	16: {12, 14},     // ustx
	17: {12, 14},     // usde
	18: {14, 16},     // usia
	19: {12, 14},     // usne
	20: {12, 14},     // usnh
	21: {12, 14},     // usnj
	22: {12, 14},     // ustn
	23: {12, 14},     // usmn
}

// usUnsettledSections are US sections whose encoding the IAB's reference
// encoders do not agree on yet (usmd, usin, usky, usri: iabgpp-java puts
// a header segment before the core, iabgpp-es does not). Reading the
// wrong segment could miss an opt-out, so such a section makes the string
// unreadable unless another section opts out.
var usUnsettledSections = map[int]string{24: "usmd", 25: "usin", 26: "usky", 27: "usri"}

// DecodeGPP reports whether the GPP string s carries a US opt-out.
func DecodeGPP(s string) string {
	out, err := decodeGPP(strings.TrimSpace(s))
	if err != nil {
		return GPPInvalid
	}
	return out
}

// decodeGPP fails closed: an opt-out it can read counts even when another
// part of the string is broken (a section cut short, a header listing a
// section the string lacks). The string is invalid only when nothing
// readable in it opts out.
func decodeGPP(s string) (string, error) {
	parts := strings.Split(s, "~")
	header, err := gppBits(parts[0])
	if err != nil {
		return "", err
	}
	r := &bitReader{bits: header}
	if t := r.int(6); t != 3 {
		return "", fmt.Errorf("header type %d, want 3", t)
	}
	r.int(6) // version
	ids, err := r.fibonacciRange()
	if err != nil {
		return "", err
	}
	var problem error
	if len(ids) != len(parts)-1 {
		problem = fmt.Errorf("header lists %d sections, string has %d", len(ids), len(parts)-1)
	}
	for i, id := range ids {
		if i+1 >= len(parts) {
			break
		}
		optedOut, err := usSectionOptsOut(id, parts[i+1])
		if optedOut {
			return GPPOptOut, nil
		}
		if problem == nil {
			problem = err
		}
	}
	if problem != nil {
		return "", problem
	}
	return GPPNoOptOut, nil
}

// usSectionOptsOut reads one section: whether any opt-out field of a US
// section, or the flag of its GPC sub-segment, is set. Sections that are
// not US are not read.
func usSectionOptsOut(id int, section string) (bool, error) {
	if id == gppUSPV1 {
		return usPrivacyOptsOut(section)
	}
	if name, ok := usUnsettledSections[id]; ok {
		return false, fmt.Errorf("section %d (%s) has no settled encoding", id, name)
	}
	offsets, us := usOptOutBits[id]
	if !us {
		return false, nil
	}
	segments := strings.Split(section, ".")
	var problem error
	note := func(err error) {
		if problem == nil {
			problem = err
		}
	}
	if core, err := gppBits(segments[0]); err != nil {
		note(err)
	} else {
		for _, off := range offsets {
			cr := &bitReader{bits: core, pos: off}
			if cr.int(2) == 1 {
				return true, nil
			}
			if cr.err != nil {
				note(cr.err)
			}
		}
	}
	for _, seg := range segments[1:] {
		b, err := gppBits(seg)
		if err != nil {
			note(err)
			continue
		}
		sr := &bitReader{bits: b}
		if sr.int(2) == 1 && sr.int(1) == 1 { // the GPC sub-segment, its flag set
			return true, nil
		}
		if sr.err != nil {
			note(sr.err)
		}
	}
	return false, problem
}

// usPrivacyOptsOut reads the uspv1 section as the us_privacy column is
// read (sql/request_rows.sql): version 1 and three of Y, N or - in either
// case; a Y in third place opts out of sale.
func usPrivacyOptsOut(section string) (bool, error) {
	if len(section) != 4 || section[0] != '1' || strings.Trim(section[1:], "YNyn-") != "" {
		return false, errors.New("uspv1 section is not a US Privacy string")
	}
	return section[2] == 'Y' || section[2] == 'y', nil
}

const base64url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// gppBits turns base64url text into its bits, six per character.
func gppBits(s string) ([]byte, error) {
	if s == "" {
		return nil, errors.New("empty section")
	}
	bits := make([]byte, 0, 6*len(s))
	for _, c := range []byte(s) {
		v := strings.IndexByte(base64url, c)
		if v < 0 {
			return nil, fmt.Errorf("character %q is not base64url", c)
		}
		for i := 5; i >= 0; i-- {
			bits = append(bits, byte(v>>i)&1)
		}
	}
	return bits, nil
}

type bitReader struct {
	bits []byte
	pos  int
	err  error
}

// int reads an n-bit unsigned integer, most significant bit first.
func (r *bitReader) int(n int) int {
	v := 0
	for i := 0; i < n; i++ {
		if r.pos >= len(r.bits) {
			r.err = errors.New("string too short")
			return 0
		}
		v = v<<1 | int(r.bits[r.pos])
		r.pos++
	}
	return v
}

// fibonacci reads one Fibonacci-coded integer: bit i stands for the i-th
// Fibonacci number (1, 2, 3, 5, ...), and "11" ends the code.
func (r *bitReader) fibonacci() int {
	v, a, b := 0, 1, 2
	prev := byte(0)
	for i := 0; ; i++ {
		if r.pos >= len(r.bits) || i > 40 {
			r.err = errors.New("unterminated Fibonacci code")
			return 0
		}
		bit := r.bits[r.pos]
		r.pos++
		if bit == 1 && prev == 1 {
			return v
		}
		if bit == 1 {
			v += a
		}
		a, b = b, a+b
		prev = bit
	}
}

// fibonacciRange reads the header's section IDs: a 12-bit count, then per
// entry a range flag and Fibonacci-coded offsets from the previous ID.
func (r *bitReader) fibonacciRange() ([]int, error) {
	n := r.int(12)
	var ids []int
	last := 0
	for i := 0; i < n && r.err == nil; i++ {
		if r.int(1) == 1 {
			start := last + r.fibonacci()
			end := start + r.fibonacci()
			if end-start > 64 {
				return nil, errors.New("section range too long")
			}
			for id := start; id <= end; id++ {
				ids = append(ids, id)
			}
			last = end
		} else {
			last += r.fibonacci()
			ids = append(ids, last)
		}
	}
	return ids, r.err
}
