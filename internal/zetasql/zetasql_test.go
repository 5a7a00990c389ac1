package zetasql

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/optout-dev/optout/transforms"
)

// startServer starts the server named by OPTOUT_ZETASQL (the package's
// lib/zetasql folder; .ci/run installs the npm package and sets it).
func startServer(t *testing.T) *Server {
	t.Helper()
	dir := os.Getenv("OPTOUT_ZETASQL")
	if dir == "" {
		t.Skip("OPTOUT_ZETASQL is not set: npm install @fivetrandevelopers/zetasql@1.13.0 and point it at node_modules/@fivetrandevelopers/zetasql/lib/zetasql")
	}
	s, err := Start(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

var requests = Table{Name: "requests", Columns: []Column{
	{"request_id", `{"typeKind": "TYPE_STRING"}`},
	{"received_at", `{"typeKind": "TYPE_TIMESTAMP"}`},
	{"categories", `{"typeKind": "TYPE_ARRAY", "arrayType": {"elementType": {"typeKind": "TYPE_STRING"}}}`},
}}

func TestAnalyze(t *testing.T) {
	s := startServer(t)
	ctx := context.Background()
	cases := []struct{ sql, wantErr string }{
		{"SELECT request_id, TIMESTAMP_TRUNC(received_at, DAY) AS day, ARRAY_LENGTH(categories) AS n FROM requests WHERE 'all' IN UNNEST(categories)", ""},
		{"SELECT TO_HEX(SHA256(LOWER(TRIM(request_id)))) FROM requests QUALIFY ROW_NUMBER() OVER (PARTITION BY request_id ORDER BY received_at DESC) = 1", ""},
		{"SELECT request_idd FROM requests", "Unrecognized name: request_idd"},
		{"SELECT request_id FROM customers", "Table not found: customers"},
		{"SELECT received_at + 1 FROM requests", "No matching signature"},
		{"SELECT list_transform(categories, c -> lower(c)) FROM requests", "list_transform"},
	}
	for _, c := range cases {
		err := s.Analyze(ctx, c.sql, []Table{requests})
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("%s: %v", c.sql, err)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("%s: got %v, want an error with %q", c.sql, err, c.wantErr)
		}
	}
}

func TestEvaluate(t *testing.T) {
	s := startServer(t)
	rows := map[string][][]string{"requests": {
		{`{"stringValue": "r2"}`, `{"timestampValue": "2025-11-21T04:40:00Z"}`, `{"arrayValue": {"element": [{"stringValue": "all"}]}}`},
		{`{"stringValue": "r1"}`, `{"timestampValue": "2025-11-20T00:53:20Z"}`, `{"arrayValue": {"element": [{"stringValue": "advertising"}, {"stringValue": "analytics"}]}}`},
	}}
	res, err := s.Evaluate(context.Background(), "SELECT request_id, ARRAY_LENGTH(categories) AS n FROM requests ORDER BY request_id", []Table{requests}, rows)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.ReplaceAll(string(res), " ", "")
	for _, want := range []string{`{"stringValue":"r1"},{"int64Value":"2"}`, `{"stringValue":"r2"},{"int64Value":"1"}`} {
		if !strings.Contains(got, want) {
			t.Errorf("the result lacks %s:\n%s", want, got)
		}
	}
	if strings.Index(got, `"r1"`) > strings.Index(got, `"r2"`) {
		t.Errorf("ORDER BY not applied:\n%s", got)
	}
}

// TestBigQueryGPPFunctionAnalyzes: the BigQuery engine's GPP UDF (its
// decoding is pinned to DecodeGPP in transforms/gpp_udf_test.go) is a
// valid GoogleSQL statement.
func TestBigQueryGPPFunctionAnalyzes(t *testing.T) {
	s := startServer(t)
	udf, err := transforms.BigQueryGPPFunction()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Analyze(context.Background(), udf, nil); err != nil {
		t.Errorf("%v\n%s", err, udf)
	}
	broken := strings.Replace(udf, "RETURNS STRING", "RETURNS STRNG", 1)
	if err := s.Analyze(context.Background(), broken, nil); err == nil {
		t.Error("a misspelled return type passed the analyzer")
	}
}
