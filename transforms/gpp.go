package transforms

import (
	"errors"
	"fmt"
	"strings"
)

// The IAB Global Privacy Platform string (SPEC §3.1): a header section,
// then one section per ID the header lists, separated by '~'. Each section
// is base64url text of a bit string; a section's sub-segments follow '.'.
// Only the US sections matter here: usnat (7) and usca (8).

// GPP decoding results, as the engines' optout_gpp function returns them.
const (
	GPPOptOut   = "opt_out"    // a US section opted out of sale, sharing or targeted ads, or its GPC flag is set
	GPPNoOptOut = "no_opt_out" // valid, and no opting-out US field
	GPPInvalid  = "invalid"    // not a GPP string this decoder can read (quarantined as bad_gpp)
)

const (
	gppUSNat = 7
	gppUSCA  = 8
)

// usOptOutBits are, per US section, the bit offsets of its 2-bit opt-out
// fields in the core segment (value 1 = opted out). usnat v1 and v2 share
// them: SaleOptOut 18, SharingOptOut 20, TargetedAdvertisingOptOut 22.
var usOptOutBits = map[int][]int{gppUSNat: {18, 20, 22}, gppUSCA: {12, 14}}

// DecodeGPP reports whether the GPP string s carries a US opt-out.
func DecodeGPP(s string) string {
	out, err := decodeGPP(strings.TrimSpace(s))
	if err != nil {
		return GPPInvalid
	}
	return out
}

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
	if len(ids) != len(parts)-1 {
		return "", fmt.Errorf("header lists %d sections, string has %d", len(ids), len(parts)-1)
	}
	result := GPPNoOptOut
	for i, id := range ids {
		offsets, us := usOptOutBits[id]
		if !us {
			continue
		}
		segments := strings.Split(parts[i+1], ".")
		core, err := gppBits(segments[0])
		if err != nil {
			return "", err
		}
		cr := &bitReader{bits: core}
		for _, off := range offsets {
			cr.pos = off
			if cr.int(2) == 1 {
				result = GPPOptOut
			}
		}
		if cr.err != nil {
			return "", cr.err
		}
		for _, seg := range segments[1:] {
			b, err := gppBits(seg)
			if err != nil {
				return "", err
			}
			sr := &bitReader{bits: b}
			if sr.int(2) == 1 && sr.int(1) == 1 { // the GPC sub-segment, its flag set
				result = GPPOptOut
			}
			if sr.err != nil {
				return "", sr.err
			}
		}
	}
	return result, nil
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
