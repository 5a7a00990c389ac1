package zetasql

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/optout-dev/optout/internal/testkit/normtest"
	"github.com/optout-dev/optout/transforms"
)

// The tests here need the server (the fetch's own tests need none, but
// they run where the fetch does): without it none runs, and go test says
// so (see Main).
func TestMain(m *testing.M) { os.Exit(Main(m)) }

var requests = Table{Name: "requests", Columns: []Column{
	{"request_id", `{"typeKind": "TYPE_STRING"}`},
	{"received_at", `{"typeKind": "TYPE_TIMESTAMP"}`},
	{"categories", `{"typeKind": "TYPE_ARRAY", "arrayType": {"elementType": {"typeKind": "TYPE_STRING"}}}`},
}}

func TestAnalyze(t *testing.T) {
	s := ForTest(t)
	ctx := context.Background()
	cases := []struct{ sql, wantErr string }{
		{"SELECT request_id, TIMESTAMP_TRUNC(received_at, DAY) AS day, ARRAY_LENGTH(categories) AS n FROM requests WHERE 'all' IN UNNEST(categories)", ""},
		{"SELECT TO_HEX(SHA256(LOWER(TRIM(request_id)))) FROM requests QUALIFY ROW_NUMBER() OVER (PARTITION BY request_id ORDER BY received_at DESC) = 1", ""},
		{"SELECT request_idd FROM requests", "Unrecognized name: request_idd"},
		{"SELECT request_id FROM customers", "Table not found: customers"},
		{"SELECT received_at + 1 FROM requests", "No matching signature"},
		{"SELECT list_transform(categories, c -> lower(c)) FROM requests", "list_transform"},
		// Dotted catalog names: BigQuery's dataset.table and project.dataset.table paths.
		{"SELECT request_id FROM `scratch`.`requests` AS a JOIN `proj`.`privacy`.`requests` AS b USING (request_id)", ""},
		{"SELECT request_id FROM `scratch`.`customers`", "Table not found: scratch.customers"},
		{"SELECT request_id FROM `proj`.`crm`.`requests`", "Table not found"},
	}
	dotted := func(name string) Table { t := requests; t.Name = name; return t }
	for _, c := range cases {
		err := s.Analyze(ctx, c.sql, Catalog{Tables: []Table{requests, dotted("scratch.requests"), dotted("proj.privacy.requests")}})
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("%s: %v", c.sql, err)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("%s: got %v, want an error with %q", c.sql, err, c.wantErr)
		}
	}
}

func TestEvaluate(t *testing.T) {
	s := ForTest(t)
	rows := map[string][][]string{"requests": {
		{`{"stringValue": "r2"}`, `{"timestampValue": "2025-11-21T04:40:00Z"}`, `{"arrayValue": {"element": [{"stringValue": "all"}]}}`},
		{`{"stringValue": "r1"}`, `{"timestampValue": "2025-11-20T00:53:20Z"}`, `{"arrayValue": {"element": [{"stringValue": "advertising"}, {"stringValue": "analytics"}]}}`},
	}}
	res, err := s.Evaluate(context.Background(), "SELECT request_id, ARRAY_LENGTH(categories) AS n FROM requests ORDER BY request_id", Catalog{Tables: []Table{requests}}, rows)
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

// TestEvaluateModify: the reference engine runs an UPDATE … FROM over the
// given rows and returns the rows it touched, each with its old key; it
// refuses MERGE and DDL (which the BigQuery write-back therefore does not
// use for its update; see internal/testkit/parity/writeback_test.go).
func TestEvaluateModify(t *testing.T) {
	s := ForTest(t)
	ctx := context.Background()
	people := Table{Name: "people", PrimaryKey: []int{0}, Columns: []Column{{"k", `{"typeKind": "TYPE_INT64"}`}, {"id", `{"typeKind": "TYPE_STRING"}`}, {"out", `{"typeKind": "TYPE_BOOL"}`}}}
	flags := Table{Name: "flags", Columns: []Column{{"id", `{"typeKind": "TYPE_STRING"}`}, {"out", `{"typeKind": "TYPE_BOOL"}`}}}
	cat := Catalog{Tables: []Table{people, flags}}
	rows := map[string][][]string{
		"people": {{`{"int64Value": "1"}`, `{"stringValue": "a"}`, `{}`}, {`{"int64Value": "2"}`, `{"stringValue": "b"}`, `{"boolValue": true}`}, {`{"int64Value": "3"}`, `{}`, `{}`}},
		"flags":  {{`{"stringValue": "a"}`, `{"boolValue": true}`}, {`{"stringValue": "b"}`, `{"boolValue": true}`}},
	}
	got, err := s.EvaluateModify(ctx, "UPDATE people AS p SET out = f.out FROM flags AS f WHERE p.id = f.id AND p.out IS DISTINCT FROM f.out", cat, rows)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Operation != "UPDATE" || len(got[0].OldKey) != 1 || strings.ReplaceAll(string(got[0].OldKey[0]), " ", "") != `{"int64Value":"1"}` ||
		strings.ReplaceAll(string(got[0].Cells[2]), " ", "") != `{"boolValue":true}` {
		t.Errorf("touched %+v, want row 1 only, now true", got)
	}
	for _, sql := range []string{
		"MERGE people AS p USING flags AS f ON p.id = f.id WHEN MATCHED THEN UPDATE SET out = f.out",
		"ALTER TABLE people ADD COLUMN IF NOT EXISTS seen TIMESTAMP",
	} {
		if err := s.Analyze(ctx, sql, cat); err != nil {
			t.Errorf("analysis: %v\n%s", err, sql)
		}
		if _, err := s.EvaluateModify(ctx, sql, cat, rows); err == nil || !strings.Contains(err.Error(), "does not support statement kind") {
			t.Errorf("the reference engine ran (or failed otherwise on) %s: %v", sql, err)
		}
	}
}

// TestBigQueryGPPFunctionAnalyzes: the BigQuery engine's GPP UDF (its
// decoding is pinned to DecodeGPP in transforms/gpp_udf_test.go) is a
// valid GoogleSQL statement.
func TestBigQueryGPPFunctionAnalyzes(t *testing.T) {
	s := ForTest(t)
	udf, err := transforms.BigQueryGPPFunction()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Analyze(context.Background(), udf, Catalog{}); err != nil {
		t.Errorf("%v\n%s", err, udf)
	}
	broken := strings.Replace(udf, "RETURNS STRING", "RETURNS STRNG", 1)
	if err := s.Analyze(context.Background(), broken, Catalog{}); err == nil {
		t.Error("a misspelled return type passed the analyzer")
	}
}

// bigQueryFunctions defines the BigQuery engine's normalization functions
// (sql/macros.bigquery.sql), each statement analyzed on the way.
func bigQueryFunctions(t *testing.T, s *Server) []Function {
	t.Helper()
	m, err := transforms.MacrosStep(transforms.BigQuery)
	if err != nil {
		t.Fatal(err)
	}
	fns, err := s.DefineFunctions(context.Background(), m.SQL, Catalog{})
	if err != nil {
		t.Fatal(err)
	}
	return fns
}

// TestNormalizationMatchesGo holds the BigQuery normalization functions,
// run by Google's reference evaluator, to the Go reference on the same
// nasty inputs as the DuckDB macros.
func TestNormalizationMatchesGo(t *testing.T) {
	s := ForTest(t)
	fns := bigQueryFunctions(t, s)
	if len(fns) < 15 {
		t.Fatalf("only %d functions defined", len(fns))
	}
	nasty := normtest.Nasty()
	table := Table{Name: "t", Columns: []Column{{"i", `{"typeKind": "TYPE_INT64"}`}, {"x", `{"typeKind": "TYPE_STRING"}`}}}
	var rows [][]string
	for i, raw := range nasty {
		v, _ := json.Marshal(raw)
		rows = append(rows, []string{fmt.Sprintf(`{"int64Value": "%d"}`, i), `{"stringValue": ` + string(v) + `}`})
	}
	q := "SELECT i, " + normtest.Select(transforms.BigQuery.SHA256) + " FROM t ORDER BY i"
	res, err := s.Evaluate(context.Background(), q, Catalog{Tables: []Table{table}, Functions: fns}, map[string][][]string{"t": rows})
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Content struct {
			TableData struct {
				Row []struct {
					Cell []struct {
						Int    string  `json:"int64Value"`
						String *string `json:"stringValue"`
					} `json:"cell"`
				} `json:"row"`
			} `json:"tableData"`
		} `json:"content"`
	}
	if err := json.Unmarshal(res, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Content.TableData.Row) != len(nasty) {
		t.Fatalf("%d rows for %d inputs", len(out.Content.TableData.Row), len(nasty))
	}
	for i, r := range out.Content.TableData.Row {
		str := func(j int) string {
			if r.Cell[j].String == nil {
				return ""
			}
			return *r.Cell[j].String
		}
		got := normtest.Keys{Email: str(1), EmailSHA: str(2), EmailFoldedSHA: str(3), Phone: str(4), PhoneSHA: str(5), Hash: str(6), ID: str(7), Device: str(8), State: str(9), Given: str(10)}
		if want := normtest.Reference(nasty[i]); got != want {
			t.Errorf("input %q:\n bigquery %+v\n       go %+v", nasty[i], got, want)
		}
	}
}
