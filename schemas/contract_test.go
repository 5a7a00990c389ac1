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
