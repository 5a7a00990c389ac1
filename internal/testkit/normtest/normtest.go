// Package normtest holds, for the engines' tests, identifier values that
// have bitten real pipelines and the keys the Go reference
// (transforms/normalize.go) derives from each: every engine's SQL
// normalization is held to them.
package normtest

import (
	_ "embed"
	"encoding/json"

	"github.com/optout-dev/optout/transforms"
)

//go:embed nasty_identifiers.json
var nastyJSON []byte

// Nasty returns the identifier values (more than 60 of them).
func Nasty() []string {
	var out []string
	if err := json.Unmarshal(nastyJSON, &out); err != nil {
		panic("normtest: " + err.Error()) // the embedded file is part of the build
	}
	return out
}

// Keys are the keys of one raw value; "" where there is none.
type Keys struct {
	Email, EmailSHA, EmailFoldedSHA, Phone, PhoneSHA, Hash, ID, Device, State string
	// Given is "1" when optout_invalid counts the value as given (with no
	// key beside it, an invalid identifier), "" when as no value.
	Given string
}

// Reference returns the Go reference's keys of raw.
func Reference(raw string) Keys {
	var k Keys
	for i, key := range transforms.EmailKeys(raw) {
		switch i {
		case 0:
			k.Email = key.Value
		case 1:
			k.EmailSHA = key.Value
		case 2:
			k.EmailFoldedSHA = key.Value
		}
	}
	if p := transforms.PhoneKeys(raw); p != nil {
		k.Phone, k.PhoneSHA = p[0].Value, p[1].Value
	}
	k.Hash = transforms.HashKey(raw)
	k.ID = transforms.IDKey(raw)
	k.Device = transforms.DeviceKey(raw)
	k.State = transforms.StateCode(raw)
	if k.Device != "" {
		k.Given = "1"
	}
	return k
}

// Select is the query, over one string column x, that yields the keys in
// the order of Keys' fields, through the normalization functions both
// engines define; sha256 is the dialect's hex SHA-256.
func Select(sha256 func(string) string) string {
	return "optout_email(x), optout_email_sha(x), optout_email_folded_sha(x), optout_phone(x), " +
		sha256("optout_phone(x)") + ", optout_hash(x), optout_id(x), optout_device(x), optout_state(x), " +
		"CAST(optout_invalid(x, CAST(NULL AS STRING)) AS STRING)"
}
