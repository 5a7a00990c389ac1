package schemas

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Family is an engine-independent type family of a column.
type Family string

// The type families the contracts distinguish.
const (
	String     Family = "string"
	Integer    Family = "integer"
	Float      Family = "float"
	Boolean    Family = "boolean"
	Timestamp  Family = "timestamp"
	Date       Family = "date"
	StringList Family = "list<string>"
	StructList Family = "list<struct>"
	Map        Family = "map"
	Struct     Family = "struct"
	Other      Family = "other"
)

// Field is one column of an input as an engine describes it.
type Field struct {
	Name   string
	Family Family
	Type   string // the engine's own type name, for messages
	// Folder is, for a column that a hive folder of the file's path makes
	// (dt=2026-11-21), that folder; "" for a column of the file itself.
	Folder string
}

// Column is one column a contract knows.
type Column struct {
	Name     string
	Accepts  []Family
	Required bool
	// Fields a struct (or list of structs) must have, named in the engine's
	// type (case-insensitively).
	Fields []string
	// TimeFields are those of Fields the adapter reads as instants: a
	// timestamp or text (parsed), never a number, which the adapter's cast
	// would refuse without naming the file or the field, nor a date, which
	// it would read as midnight UTC (a top-level DATE column is read as the
	// start of its day in the run's time zone, transforms.Dialect.Instant;
	// a nested one is not, and XDM's fields are date-times).
	TimeFields []string
	// UnusedWith names a column that, when an input has it, makes the run
	// read this one not at all (XDM's timestamp beside _repo): this one is
	// then not held to the contract, in any file of the input.
	UnusedWith string
}

// Contract is what an input must look like.
type Contract struct {
	Kind    string   // "requests", "customers", ...
	Columns []Column // known columns; others are allowed and carried
	// AnyOf: at least one of these columns must be present.
	AnyOf []string
}

var (
	text  = []Family{String}
	ident = []Family{String, Integer} // ids and phones are often stored as numbers
	when  = []Family{Timestamp, Date}
)

// keyColumn is the column holding identifier kind k under name: emails and
// hashes must be text (a number is never a valid one: such a column is
// swapped or mistyped, SPEC §7), phones and ids may be integers.
func keyColumn(kind, name string) Column {
	switch kind {
	case "email", "email_sha256", "phone_sha256":
		return Column{Name: name, Accepts: text}
	}
	return Column{Name: name, Accepts: ident}
}

func keyColumns(kinds []string) []Column {
	out := make([]Column, len(kinds))
	for i, k := range kinds {
		out[i] = keyColumn(k, k)
	}
	return out
}

func cols(names []string, accepts []Family) []Column {
	out := make([]Column, len(names))
	for i, n := range names {
		out[i] = Column{Name: n, Accepts: accepts}
	}
	return out
}

// RequestExtras are the optional text columns of a request that every
// request format carries through (SPEC §3.1).
var RequestExtras = []string{"source", "traffic_source", "first_name", "last_name", "state", "ip_address", "user_agent"}

// requestColumns are a request format's own columns, then the extras and
// the identifier columns it does not name itself.
func requestColumns(own ...Column) []Column {
	out := own
	for _, c := range append(cols(RequestExtras, text), keyColumns(IdentifierKinds)...) {
		if _, named := findColumn(own, c.Name); !named {
			out = append(out, c)
		}
	}
	return out
}

func findColumn(cs []Column, name string) (Column, bool) {
	for _, c := range cs {
		if c.Name == name {
			return c, true
		}
	}
	return Column{}, false
}

// Requests is the canonical request log (SPEC §3.1).
var Requests = Contract{
	Kind: "requests",
	Columns: requestColumns(
		Column{Name: "request_id", Accepts: ident, Required: true},
		Column{Name: "received_at", Accepts: when, Required: true},
		Column{Name: "updated_at", Accepts: when},
		Column{Name: "request_type", Accepts: text},
		Column{Name: "categories", Accepts: []Family{StringList, String}},
		Column{Name: "status", Accepts: text},
		Column{Name: "gpc", Accepts: []Family{Boolean}},
		Column{Name: "us_privacy", Accepts: text},
		Column{Name: "gpp", Accepts: text},
	),
	AnyOf: IdentifierKinds,
}

// XDMPrivacy is an Adobe XDM profile export (SPEC §3.1 xdm_privacy):
// Profile Privacy's privacyOptOuts, Profile Preferences Details' optInOut
// map and globalOptout, the repository's modifyDate (when optInOut and
// globalOptout were last set) or else a top-level timestamp, and identity
// columns.
var XDMPrivacy = Contract{
	Kind: "xdm_privacy",
	Columns: requestColumns(
		Column{Name: "privacyOptOuts", Accepts: []Family{StructList}, Required: true, Fields: []string{"optOutType", "optOutValue", "timestamp"}, TimeFields: []string{"timestamp"}},
		Column{Name: "optInOut", Accepts: []Family{Map}},
		Column{Name: "globalOptout", Accepts: []Family{Boolean}},
		Column{Name: "_repo", Accepts: []Family{Struct}, Fields: []string{"modifyDate"}, TimeFields: []string{"modifyDate"}},
		// Dates optInOut and globalOptout where there is no _repo. Named
		// here so that every file of a source must have it once one does:
		// a file without it dated its opt-outs NULL, and they were
		// quarantined as missing_received_at with exit 0. With _repo in
		// any file the adapter reads _repo's modifyDate instead (and _repo
		// must then be in every file).
		Column{Name: "timestamp", Accepts: []Family{Timestamp, Date, String}, UnusedWith: "_repo"},
	),
	AnyOf: IdentifierKinds,
}

// CampaignProfile is a series of Adobe Campaign profile snapshots (SPEC
// §3.1 campaign_profile).
var CampaignProfile = Contract{
	Kind: "campaign_profile",
	Columns: requestColumns(
		Column{Name: "PKey", Accepts: ident, Required: true},
		Column{Name: "ccpaOptOut", Accepts: []Family{Boolean}, Required: true},
		Column{Name: "snapshot_at", Accepts: when, Required: true},
	),
	AnyOf: IdentifierKinds,
}

// SegmentIDs are the IDs an opt-out-of-sale pixel segment collected (SPEC
// §3.1 segment_ids).
var SegmentIDs = Contract{
	Kind: "segment_ids",
	Columns: requestColumns(
		Column{Name: "cookie_id", Accepts: ident, Required: true},
		Column{Name: "collected_at", Accepts: when, Required: true},
	),
}

// RequestContract returns the contract of a request source's format.
func RequestContract(format string) Contract {
	switch format {
	case "xdm_privacy":
		return XDMPrivacy
	case "campaign_profile":
		return CampaignProfile
	case "segment_ids":
		return SegmentIDs
	}
	return Requests
}

// Customers is the customer table (SPEC §3.2).
var Customers = Contract{
	Kind: "customers",
	Columns: append(append([]Column{{Name: "customer_id", Accepts: ident, Required: true}},
		required(keyColumns([]string{"email", "phone"}))...),
		append(keyColumns([]string{"cookie_id", "device_id"}),
			cols([]string{"traffic_source", "state"}, ident)...)...),
}

// required marks columns required. A customers file without an email or
// phone column (SPEC §3.2 makes only cookie_id and device_id optional) is
// far more often a column renamed upstream than a business without them:
// read as absent, every customer would lose that key and keep his flags
// at "not opted out". A table that has none holds a column of NULLs.
func required(cs []Column) []Column {
	for i := range cs {
		cs[i].Required = true
	}
	return cs
}

// IdentityLinks adds keys to customers (SPEC §3.3).
var IdentityLinks = Contract{
	Kind: "identity_links",
	Columns: append([]Column{{Name: "customer_id", Accepts: ident, Required: true}},
		keyColumns([]string{"cookie_id", "device_id", "email", "phone", "email_sha256", "phone_sha256"})...),
	AnyOf: []string{"cookie_id", "device_id", "email", "phone", "email_sha256", "phone_sha256"},
}

// Traffic gives the denominators of the opt-out rate (SPEC §3.4).
var Traffic = Contract{
	Kind: "traffic",
	Columns: []Column{
		{Name: "date", Accepts: when, Required: true},
		{Name: "traffic_source", Accepts: text, Required: true},
		{Name: "visitors", Accepts: []Family{Integer}, Required: true},
	},
}

// ContractError names the input, file and column at fault.
type ContractError struct {
	Input, File, Column, Reason string
}

func (e *ContractError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "input %s", e.Input)
	if table, ok := strings.CutPrefix(e.File, "table:"); ok {
		fmt.Fprintf(&b, ": table %s", table)
	} else if e.File != "" {
		fmt.Fprintf(&b, ": file %s", e.File)
	}
	if e.Column != "" {
		fmt.Fprintf(&b, ": column %s", e.Column)
	}
	fmt.Fprintf(&b, ": %s", e.Reason)
	return b.String()
}

// Find returns the field named name (case-insensitively).
func Find(fields []Field, name string) (Field, bool) {
	for _, f := range fields {
		if strings.EqualFold(f.Name, name) {
			return f, true
		}
	}
	return Field{}, false
}

// RowColumns are the columns a run adds to every input row: the file and
// the row it comes from, which identify an export row (its decision is
// joined back by them). An input column of either name would stand in for
// them.
var RowColumns = []string{"_file", "_row"}

// ComputedPrefix starts the name of every column a step computes beside an
// input row's own columns (`SELECT *, … AS _optout_k0`: a row's keys, its
// normalized id, the date of an export file). An input column of such a
// name would be read in its place: an export's own `_optout_k0` stood in
// for its normalized email, and opted-out people were exported.
const ComputedPrefix = "_optout_"

// Check verifies one file's (or table's) fields against the contract.
func (c Contract) Check(input, file string, fields []Field) error {
	seen := map[string]Field{}
	for _, f := range fields {
		low := strings.ToLower(f.Name)
		if strings.ContainsRune(f.Name, 0) {
			// SQL ends a quoted name at a NUL: the step would not parse.
			return &ContractError{input, file, strings.ReplaceAll(f.Name, "\x00", `\x00`), "contains a NUL character (shown as \\x00), which SQL cannot name; rename the column"}
		}
		if slices.Contains(RowColumns, low) {
			return &ContractError{input, file, f.Name, "is a name optout keeps for the file and row each input row comes from; rename the column"}
		}
		if strings.HasPrefix(low, ComputedPrefix) {
			return &ContractError{input, file, f.Name, "starts with " + ComputedPrefix + ", the prefix optout keeps for the columns it computes beside an input row's own; rename the column"}
		}
		if first, ok := seen[low]; ok {
			if folder := cmp.Or(f.Folder, first.Folder); folder != "" {
				return &ContractError{input, file, f.Name, fmt.Sprintf("is both a column of the file and the hive folder %s of its path, and the two would be read as one; rename the column or the folder", folder)}
			}
			return &ContractError{input, file, f.Name, "appears twice (column names match case-insensitively)"}
		}
		seen[low] = f
	}
	for _, col := range c.Columns {
		f, ok := Find(fields, col.Name)
		if !ok {
			if col.Required {
				return &ContractError{input, file, col.Name, "required column is missing"}
			}
			continue
		}
		if _, unused := Find(fields, col.UnusedWith); col.UnusedWith != "" && unused {
			continue
		}
		if !accepts(col.Accepts, f.Family) {
			return &ContractError{input, file, col.Name, fmt.Sprintf("has type %s; expected %s", f.Type, familyList(col.Accepts))}
		}
		for _, sub := range col.Fields {
			if !hasField(f.Type, sub) {
				return &ContractError{input, file, col.Name, fmt.Sprintf("has type %s, without the field %s", f.Type, sub)}
			}
		}
		for _, sub := range col.TimeFields {
			if t := fieldType(f.Type, sub); !isTimeType(t) {
				return &ContractError{input, file, col.Name, fmt.Sprintf("has type %s: its field %s is %s; expected a timestamp or text (a date has no time of day)", f.Type, sub, t)}
			}
		}
	}
	if len(c.AnyOf) > 0 {
		for _, n := range c.AnyOf {
			if _, ok := Find(fields, n); ok {
				return nil
			}
		}
		return &ContractError{input, file, "", "has none of the identifier columns " + strings.Join(c.AnyOf, ", ")}
	}
	return nil
}

// hasField reports whether a struct type (or a list of structs) has the
// top-level field sub, named case-insensitively.
func hasField(typ, sub string) bool { return fieldType(typ, sub) != "" }

// fieldType returns the type of the top-level field sub of a struct type
// (or of a list of structs), as spelled there: DuckDB's STRUCT(a T, "b" U)[]
// or BigQuery's ARRAY<STRUCT<a T, b U>>; "" when it has no such field.
func fieldType(typ, sub string) string {
	i := strings.Index(strings.ToLower(typ), "struct")
	if i < 0 {
		return ""
	}
	body := typ[i+len("struct"):]
	if len(body) == 0 || (body[0] != '(' && body[0] != '<') {
		return ""
	}
	depth, start := 0, 1
	for j, r := range body {
		switch {
		case r == '(' || r == '<':
			depth++
		case (r == ')' || r == '>') && depth > 1:
			depth--
		case r == ',' && depth == 1, (r == ')' || r == '>') && depth == 1:
			name, t, _ := strings.Cut(strings.TrimSpace(body[start:j]), " ")
			if strings.EqualFold(strings.Trim(name, "\"`"), sub) {
				return strings.TrimSpace(t)
			}
			if r != ',' {
				return ""
			}
			start = j + 1
		}
	}
	return ""
}

// isTimeType reports whether an engine type holds an instant or text:
// TIMESTAMP (any precision, with or without a zone), DATETIME, VARCHAR or
// STRING (a DATE is not one: see Column.TimeFields).
func isTimeType(t string) bool {
	t = strings.ToLower(t)
	for _, p := range []string{"timestamp", "datetime", "varchar", "string", "text"} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return false
}

func accepts(fams []Family, f Family) bool {
	for _, a := range fams {
		if a == f {
			return true
		}
	}
	return false
}

func familyList(fams []Family) string {
	s := make([]string, len(fams))
	for i, f := range fams {
		s[i] = string(f)
	}
	return strings.Join(s, " or ")
}

// ExportContract requires each mapped identifier column (kind → column).
func ExportContract(identifiers map[string]string) Contract {
	c := Contract{Kind: "export"}
	for _, kind := range IdentifierKinds {
		if col, ok := identifiers[kind]; ok {
			kc := keyColumn(kind, col)
			kc.Required = true
			c.Columns = append(c.Columns, kc)
		}
	}
	return c
}

// FileFields are the fields of one file of an input.
type FileFields struct {
	File   string
	Fields []Field
}

// CheckAcross verifies that the files of one input agree (SPEC §7): each
// file is read on its own, so a contracted column that one file has and
// another lacks would read as NULLs there (opted-out people's emails
// silently gone), and a column must have one type family in every file.
// Each file has already passed Check.
func (c Contract) CheckAcross(input string, files []FileFields) error {
	first := map[string]FileFields{} // lower-case column → the first file that has it
	for _, ff := range files {
		for _, f := range ff.Fields {
			low := strings.ToLower(f.Name)
			prev, seen := first[low]
			if !seen {
				first[low] = ff
				continue
			}
			if p, _ := Find(prev.Fields, f.Name); p.Family != f.Family {
				return &ContractError{input, ff.File, f.Name,
					fmt.Sprintf("has type %s here but %s in %s", f.Type, p.Type, prev.File)}
			}
		}
	}
	for _, col := range c.Columns {
		owner, anywhere := first[strings.ToLower(col.Name)]
		if !anywhere {
			continue
		}
		if _, unused := first[strings.ToLower(col.UnusedWith)]; col.UnusedWith != "" && unused {
			continue
		}
		for _, ff := range files {
			if _, ok := Find(ff.Fields, col.Name); !ok {
				return &ContractError{input, ff.File, col.Name,
					fmt.Sprintf("is missing in this file but present in %s; every file of an input must have the same contracted columns (a missing one would read as NULLs)", owner.File)}
			}
		}
	}
	return nil
}
