package schemas

import (
	"strings"
	"testing"
)

func TestHasField(t *testing.T) {
	typ := `STRUCT(optOutType VARCHAR, "optOutValue" VARCHAR, "timestamp" TIMESTAMP)[]`
	for sub, want := range map[string]bool{"optOutType": true, "optoutvalue": true, "timestamp": true, "value": false, "optOut": false, "VARCHAR": false} {
		if got := hasField(typ, sub); got != want {
			t.Errorf("hasField(%q) = %v, want %v", sub, got, want)
		}
	}
}

func TestFieldType(t *testing.T) {
	for typ, want := range map[string]string{
		`STRUCT(optOutType VARCHAR, "timestamp" TIMESTAMP WITH TIME ZONE)[]`: "TIMESTAMP WITH TIME ZONE",
		`STRUCT("timestamp" DECIMAL(18, 3), optOutType VARCHAR)[]`:           "DECIMAL(18, 3)",
		"ARRAY<STRUCT<optOutType STRING, `timestamp` INT64>>":                "INT64",
		`STRUCT(a STRUCT(timestamp BIGINT), "timestamp" DATE)`:               "DATE",
		`STRUCT(optOutType VARCHAR)[]`:                                       "",
	} {
		if got := fieldType(typ, "timestamp"); got != want {
			t.Errorf("fieldType(%q, timestamp) = %q, want %q", typ, got, want)
		}
	}
}

func TestAdapterContracts(t *testing.T) {
	privacy := Field{Name: "privacyOptOuts", Family: StructList, Type: `STRUCT(optOutType VARCHAR, optOutValue VARCHAR, "timestamp" TIMESTAMP)[]`}
	email := Field{Name: "email", Family: String, Type: "VARCHAR"}
	cases := []struct {
		name   string
		c      Contract
		fields []Field
		want   string // "" = passes
	}{
		{"xdm ok", XDMPrivacy, []Field{email, privacy, {Name: "optInOut", Family: Map, Type: "MAP(VARCHAR, VARCHAR)"}}, ""},
		{"xdm without privacyOptOuts", XDMPrivacy, []Field{email}, "column privacyOptOuts: required column is missing"},
		{"xdm optInOut not a map", XDMPrivacy, []Field{email, privacy, {Name: "optInOut", Family: String, Type: "VARCHAR"}}, "column optInOut: has type VARCHAR; expected map"},
		{"xdm _repo without modifyDate", XDMPrivacy, []Field{email, privacy, {Name: "_repo", Family: Struct, Type: "STRUCT(createDate TIMESTAMP)"}}, "without the field modifyDate"},
		{"xdm without identity", XDMPrivacy, []Field{privacy}, "has none of the identifier columns"},
		{"xdm timestamp as epoch number", XDMPrivacy, []Field{email, {Name: "privacyOptOuts", Family: StructList, Type: `STRUCT(optOutType VARCHAR, optOutValue VARCHAR, "timestamp" BIGINT)[]`}}, "column privacyOptOuts: has type " + `STRUCT(optOutType VARCHAR, optOutValue VARCHAR, "timestamp" BIGINT)[]: its field timestamp is BIGINT; expected a timestamp`},
		{"xdm timestamp as text", XDMPrivacy, []Field{email, {Name: "privacyOptOuts", Family: StructList, Type: `STRUCT(optOutType VARCHAR, optOutValue VARCHAR, "timestamp" VARCHAR)[]`}}, ""},
		{"xdm modifyDate as a date", XDMPrivacy, []Field{email, privacy, {Name: "_repo", Family: Struct, Type: "STRUCT(createDate TIMESTAMP, modifyDate DATE)"}}, "its field modifyDate is DATE; expected a timestamp or text (a date has no time of day)"},
		{"xdm BigQuery DATETIME", XDMPrivacy, []Field{email, {Name: "privacyOptOuts", Family: StructList, Type: "ARRAY<STRUCT<optOutType STRING, optOutValue STRING, timestamp DATETIME>>"}}, ""},
		{"xdm modifyDate as number", XDMPrivacy, []Field{email, privacy, {Name: "_repo", Family: Struct, Type: "STRUCT(createDate TIMESTAMP, modifyDate INTEGER)"}}, "its field modifyDate is INTEGER"},
		{"xdm BigQuery spelling", XDMPrivacy, []Field{email, {Name: "privacyOptOuts", Family: StructList, Type: "ARRAY<STRUCT<optOutType STRING, optOutValue STRING, timestamp TIMESTAMP>>"}, {Name: "_repo", Family: Struct, Type: "STRUCT<createDate TIMESTAMP, modifyDate TIMESTAMP>"}}, ""},
		{"xdm top-level timestamp as epoch number", XDMPrivacy, []Field{email, privacy, {Name: "timestamp", Family: Integer, Type: "BIGINT"}}, "column timestamp: has type BIGINT; expected"},
		{"xdm top-level timestamp as a date", XDMPrivacy, []Field{email, privacy, {Name: "timestamp", Family: Date, Type: "DATE"}}, ""},
		{"xdm top-level timestamp as a number beside _repo, which the adapter reads instead", XDMPrivacy, []Field{email, privacy, {Name: "timestamp", Family: Integer, Type: "BIGINT"}, {Name: "_repo", Family: Struct, Type: "STRUCT(modifyDate TIMESTAMP)"}}, ""},
		{"campaign ok", CampaignProfile, []Field{email, {Name: "pkey", Family: Integer, Type: "BIGINT"}, {Name: "ccpaOptOut", Family: Boolean, Type: "BOOLEAN"}, {Name: "snapshot_at", Family: Timestamp, Type: "TIMESTAMP"}}, ""},
		{"campaign flag as text", CampaignProfile, []Field{email, {Name: "PKey", Family: Integer}, {Name: "ccpaOptOut", Family: String, Type: "VARCHAR"}, {Name: "snapshot_at", Family: Timestamp}}, "column ccpaOptOut: has type VARCHAR; expected boolean"},
		{"segment without collected_at", SegmentIDs, []Field{{Name: "cookie_id", Family: String}}, "column collected_at: required column is missing"},
	}
	for _, tc := range cases {
		err := tc.c.Check("src", "f.parquet", tc.fields)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestCheckAcrossFiles(t *testing.T) {
	id := Field{Name: "customer_id", Family: String, Type: "VARCHAR"}
	email := Field{Name: "email", Family: String, Type: "VARCHAR"}
	phone := Field{Name: "phone", Family: String, Type: "VARCHAR"}
	cases := []struct {
		name  string
		files []FileFields
		want  string // "" = passes
	}{
		{"same columns", []FileFields{{"a.parquet", []Field{id, email}}, {"b.parquet", []Field{id, {Name: "EMAIL", Family: String, Type: "VARCHAR"}}}}, ""},
		{"email missing from the second file", []FileFields{{"a.parquet", []Field{id, email, phone}}, {"b.parquet", []Field{id, phone}}},
			"input customers: file b.parquet: column email: is missing in this file but present in a.parquet"},
		{"email missing from the first file", []FileFields{{"a.parquet", []Field{id, phone}}, {"b.parquet", []Field{id, email, phone}}},
			"input customers: file a.parquet: column email: is missing in this file but present in b.parquet"},
		{"extra column in one file only", []FileFields{{"a.parquet", []Field{id, email, {Name: "note", Family: String}}}, {"b.parquet", []Field{id, email}}}, ""},
		{"type differs between files", []FileFields{{"a.parquet", []Field{id, phone}}, {"b.parquet", []Field{id, {Name: "phone", Family: Integer, Type: "BIGINT"}}}},
			"file b.parquet: column phone: has type BIGINT here but VARCHAR in a.parquet"},
	}
	for _, tc := range cases {
		err := Customers.CheckAcross("customers", tc.files)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestEmailColumnsMustBeText(t *testing.T) {
	id := Field{Name: "customer_id", Family: Integer, Type: "BIGINT"}
	for _, tc := range []struct {
		c      Contract
		fields []Field
		want   string
	}{
		{Customers, []Field{id, {Name: "email", Family: Integer, Type: "BIGINT"}, {Name: "phone", Family: String}}, "column email: has type BIGINT; expected string"},
		{Customers, []Field{id, {Name: "email", Family: String}, {Name: "phone", Family: Integer, Type: "BIGINT"}}, ""},
		{Customers, []Field{id, {Name: "phone", Family: String}}, "column email: required column is missing"},
		{Customers, []Field{id, {Name: "email", Family: String}}, "column phone: required column is missing"},
		{IdentityLinks, []Field{id, {Name: "email_sha256", Family: Integer, Type: "BIGINT"}}, "column email_sha256: has type BIGINT; expected string"},
		{Requests, []Field{{Name: "request_id", Family: String}, {Name: "received_at", Family: Timestamp}, {Name: "email", Family: Integer, Type: "BIGINT"}}, "column email: has type BIGINT"},
		{ExportContract(map[string]string{"email": "mail"}), []Field{{Name: "mail", Family: Integer, Type: "BIGINT"}}, "column mail: has type BIGINT; expected string"},
		{ExportContract(map[string]string{"phone": "tel"}), []Field{{Name: "tel", Family: Integer, Type: "BIGINT"}}, ""},
	} {
		err := tc.c.Check("in", "f.parquet", tc.fields)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s %v: %v", tc.c.Kind, tc.fields, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s %v: got %v, want %q", tc.c.Kind, tc.fields, err, tc.want)
		}
	}
}

// A column named like one optout computes beside a row's own would be read
// in its place: any input, any case, a hive folder too. A name that only
// contains the prefix is the user's.
func TestComputedPrefixIsReserved(t *testing.T) {
	ads := ExportContract(map[string]string{"email": "email"})
	email := Field{Name: "email", Family: String}
	for _, tc := range []struct {
		c     Contract
		field Field
		want  string
	}{
		{ads, Field{Name: "_optout_k0", Family: String}, "column _optout_k0: starts with _optout_"},
		{ads, Field{Name: "_OPTOUT_Export_Dt", Family: Date}, "column _OPTOUT_Export_Dt: starts with _optout_"},
		{ads, Field{Name: "_optout_x", Family: String, Folder: "_optout_x=1"}, "column _optout_x: starts with _optout_"},
		{ads, Field{Name: "my_optout_k0", Family: String}, ""},
		{ads, Field{Name: "export_dt", Family: Date}, ""},
	} {
		err := tc.c.Check("ads", "f.parquet", []Field{email, tc.field})
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.field.Name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: got %v, want %q", tc.field.Name, err, tc.want)
		}
	}
}

// XDM's top-level timestamp dates optInOut and globalOptout only without
// _repo: then every file must have it (a file without it dated its
// opt-outs NULL); beside _repo, which the adapter reads instead, a file
// may have it or not.
func TestXDMTimestampAcrossFiles(t *testing.T) {
	privacy := Field{Name: "privacyOptOuts", Family: StructList, Type: `STRUCT(optOutType VARCHAR, optOutValue VARCHAR, "timestamp" TIMESTAMP)[]`}
	email := Field{Name: "email", Family: String, Type: "VARCHAR"}
	ts := Field{Name: "timestamp", Family: Timestamp, Type: "TIMESTAMP"}
	repo := Field{Name: "_repo", Family: Struct, Type: "STRUCT(modifyDate TIMESTAMP)"}
	if err := XDMPrivacy.CheckAcross("xdm", []FileFields{{"a.parquet", []Field{email, privacy, ts}}, {"b.parquet", []Field{email, privacy}}}); err == nil ||
		!strings.Contains(err.Error(), "file b.parquet: column timestamp: is missing in this file") {
		t.Errorf("timestamp in one file of two, no _repo: %v, want b.parquet refused", err)
	}
	if err := XDMPrivacy.CheckAcross("xdm", []FileFields{{"a.parquet", []Field{email, privacy, repo, ts}}, {"b.parquet", []Field{email, privacy, repo}}}); err != nil {
		t.Errorf("timestamp in one file of two, _repo in both: %v, want no error", err)
	}
}
