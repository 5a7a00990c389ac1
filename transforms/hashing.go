package transforms

// The destination hashing rules of SPEC §6, rendered as SQL over a
// normalized key value of a kind. One function serves hashed exports,
// suppression lists and the hashed leak check, so they cannot disagree.

// hashFamily is the identifier_type a key kind is listed under.
func hashFamily(kind string) string {
	switch kind {
	case "email", "email_sha256":
		return "email"
	case "phone", "phone_sha256":
		return "phone"
	}
	return kind
}

// destinationHash renders the destination's hashed form of key value
// expression v of kind: SHA-256 of the normalized (Gmail-folded) email; of
// the E.164 phone with '+' (Google, LinkedIn, generic) or its digits without
// '+' (Meta); given hashes as they are; other ids hashed as normalized.
func destinationHash(d Dialect, destination, kind, v string) string {
	switch kind {
	case "email_sha256", "phone_sha256":
		return v
	case "phone":
		if destination == "meta" {
			return d.SHA256("substr(" + v + ", 2)")
		}
	}
	return d.SHA256(v)
}

// adFamilies are the identifier types an ad platform's suppression list takes.
var adFamilies = []string{"email", "phone"}
