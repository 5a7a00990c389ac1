package parity

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/internal/engine"
	"github.com/optout-dev/optout/internal/engine/duckdb"
	"github.com/optout-dev/optout/internal/testkit/zetasql"
	"github.com/optout-dev/optout/transforms"
)

// explainCases are the case folders whose people and requests
// TestExplainMatchesDuckDB explains: customers, identity links, exports
// (hashed, CSV, a channel, require_opt_in), earlier dates' published
// ledger and third-party notifications, quarantined, pending and
// after-the-as-of-instant rows.
var explainCases = []string{
	"20_identity_links",
	"22_quarantine_reasons",
	"15_status_change_after_as_of",
	"56_export_through_identity_link",
	"65_third_party_notifications",
	"75_export_row_union_later_opt_in_through_customer",
	"77_export_row_union_channel",
	"78_export_row_union_require_opt_in",
}

// TestExplainMatchesDuckDB: every statement of `optout explain`, rendered
// for BigQuery, passes ZetaSQL's analysis and, under its reference
// evaluator over the tables DuckDB computed, returns DuckDB's rows — each
// section's table as a set, and each section read back in DuckDB's order —
// for every email, phone and customer_id of the case's inputs and every
// request id (--request-id), plus one of each that matches nothing.
func TestExplainMatchesDuckDB(t *testing.T) {
	srv, fns := zetaServer(t)
	var seen rowsSeen
	t.Run("cases", func(t *testing.T) {
		for _, c := range explainCases {
			t.Run(c, func(t *testing.T) {
				t.Parallel()
				explainCase(t, srv, fns, filepath.Join("../../../testdata/cases", c), &seen)
			})
		}
	})
	// Each statement compared some rows somewhere, so none passes by
	// returning nothing on both engines.
	for _, s := range []string{"explain_keys", "explain_customers", "explain_requests", "explain_uncounted", "explain_state", "explain_exports",
		"explain_request_rows", "explain_request", "explain_notified"} {
		for _, name := range []string{s, "read_" + s} {
			if seen.rows[name] == 0 {
				t.Errorf("step %s returned no row in any case", name)
			}
		}
	}
}

// rowsSeen counts the rows each step returned, over every case.
type rowsSeen struct {
	sync.Mutex
	rows map[string]int
}

func (s *rowsSeen) add(step string, n int) {
	s.Lock()
	defer s.Unlock()
	if s.rows == nil {
		s.rows = map[string]int{}
	}
	s.rows[step] += n
}

func explainCase(t *testing.T, srv *zetasql.Server, fns []zetasql.Function, dir string, seen *rowsSeen) {
	ctx := context.Background()
	_, in := inspectCase(t, dir)
	published, err := in.Engine.ReadPublished(ctx, transforms.PublishedNotifications, "third_party_notifications", "")
	if err != nil {
		t.Fatal(err)
	}
	tables := readTables(t, in.Engine)
	gpp := gppAnswers(t, in.Engine)
	fns = withGPPAnswers(fns, gpp.name)
	tables = append(tables, gpp)
	bq := in.Plan
	bq.Dialect = transforms.BigQuery

	people, requests := explainSubjects(t, in.Engine)
	if len(people) < 3 || len(requests) < 2 {
		t.Fatalf("only %d people and %d requests to explain", len(people), len(requests))
	}
	n := 0
	for _, p := range people {
		duck, err := in.Plan.ExplainSteps(p[0], p[1])
		if err != nil {
			t.Fatal(err)
		}
		big, err := bq.ExplainSteps(p[0], p[1])
		if err != nil {
			t.Fatal(err)
		}
		n += compareExplain(t, srv, fns, in.Engine, tables, fmt.Sprintf("%s %s", p[0], p[1]), duck, big, seen)
	}
	for _, id := range requests {
		duck, err := in.Plan.ExplainRequestSteps(id, published)
		if err != nil {
			t.Fatal(err)
		}
		big, err := bq.ExplainRequestSteps(id, published)
		if err != nil {
			t.Fatal(err)
		}
		n += compareExplain(t, srv, fns, in.Engine, tables, "request "+id, duck, big, seen)
	}
	t.Logf("%d people, %d requests (notifications published: %v): %d statements compared", len(people), len(requests), published, n)
}

// explainSubjects returns every (kind, value) of kind email, phone and
// customer_id among the keys of the case's request, customer, link and
// export rows, and every request id of its request rows (quarantined and
// later ones too), each list with one that matches nothing.
func explainSubjects(t *testing.T, eng engine.Steps) (people [][2]string, requests []string) {
	var keys, ids []string
	for _, r := range query(t, eng, `SELECT table_name FROM information_schema.columns
		WHERE column_name = 'keys' AND table_name LIKE '\_optout\_%' ESCAPE '\' AND table_name NOT LIKE '%explain%' ORDER BY table_name`) {
		rel := transforms.Ident(r["table_name"].(string))
		keys = append(keys, "SELECT unnest(keys) AS k FROM "+rel)
		if strings.HasPrefix(r["table_name"].(string), transforms.TempName("request_rows__")) {
			ids = append(ids, "SELECT request_id FROM "+rel+" WHERE request_id IS NOT NULL")
		}
	}
	if len(keys) == 0 || len(ids) == 0 {
		t.Fatal("no key or request row table")
	}
	// customer_rows keeps its keys as columns; customer_keys lists those
	// of the customers a request reaches.
	keys = append(keys, "SELECT {'kind': kind, 'value': value} AS k FROM "+transforms.Ident(transforms.TempName("customer_keys")))
	for _, r := range query(t, eng, `SELECT DISTINCT CAST(k.kind AS VARCHAR) AS kind, k.value AS value FROM (`+strings.Join(keys, " UNION ALL ")+`)
		WHERE CAST(k.kind AS VARCHAR) IN ('email', 'phone', 'customer_id') ORDER BY kind, value`) {
		people = append(people, [2]string{r["kind"].(string), r["value"].(string)})
	}
	for _, r := range query(t, eng, "SELECT DISTINCT request_id FROM ("+strings.Join(ids, " UNION ALL ")+") ORDER BY request_id") {
		requests = append(requests, r["request_id"].(string))
	}
	return append(people, [2]string{"email", "nobody@nowhere.example"}), append(requests, "NO-SUCH-REQUEST")
}

// compareExplain runs one explanation's DuckDB steps in order and holds
// each BigQuery step to it: a section's table (as a set) evaluated over
// the tables DuckDB computed, its earlier sections' included; a section's
// read (in order) over DuckDB's table of it. It returns how many
// statements it compared.
func compareExplain(t *testing.T, srv *zetasql.Server, fns []zetasql.Function, eng engine.Steps, tables []table, subject string, duck, big []transforms.Step, seen *rowsSeen) int {
	t.Helper()
	ctx := context.Background()
	if len(duck) != len(big) {
		t.Fatalf("%s: %d DuckDB steps, %d BigQuery steps", subject, len(duck), len(big))
	}
	sections := map[string]table{}
	n := 0
	for i, d := range duck {
		b := big[i]
		_, rows, err := eng.Run(ctx, d)
		if err != nil {
			t.Fatalf("%s: step %s on DuckDB: %v\n%s", subject, d.Name, err, d.SQL)
		}
		// A section's table, or its rows as read (a read of none reads the
		// same empty table).
		want := canonRows(t, eng, transforms.Ident(transforms.TempName(d.Table)), rows)
		all := append([]table{}, tables...)
		for _, tb := range sections {
			all = append(all, tb)
		}
		cat, content := scope(all, fns, b.SQL)
		got, err := bigQueryRows(ctx, srv, b.SQL, b.Args, cat, content)
		if err != nil {
			t.Errorf("%s: step %s: %v", subject, b.Name, err)
			return n
		}
		seen.add(b.Name, len(got.rows))
		if d.Kind == transforms.Temp {
			if diff := compare(want, got); diff != "" {
				t.Errorf("%s: step %s: BigQuery SQL under ZetaSQL differs from DuckDB:\n%s\n%s", subject, b.Name, diff, b.SQL)
			}
			sections[d.Table] = mustReadTable(t, eng, transforms.TempName(d.Table), "")
		} else if diff := compareOrdered(want, got); diff != "" {
			t.Errorf("%s: step %s: BigQuery SQL under ZetaSQL differs from DuckDB:\n%s\n%s", subject, b.Name, diff, b.SQL)
		}
		n++
	}
	return n
}

// compareOrdered is compare, and the rows in the same order.
func compareOrdered(want, got result) string {
	if diff := compare(want, got); diff != "" {
		return diff
	}
	for i := range want.rows {
		if want.rows[i] != got.rows[i] {
			return fmt.Sprintf("the same rows in another order:\nduckdb:   %s\nbigquery: %s", strings.Join(want.rows, "\n          "), strings.Join(got.rows, "\n          "))
		}
	}
	return ""
}

// TestExplainReadsOrderAlike: the sections whose sort keys may be NULL
// (an uncounted request without an id or a time, a request row without
// one) are read back in DuckDB's order under ZetaSQL too, NULLs last. The
// case folders have no such section of two rows or more.
func TestExplainReadsOrderAlike(t *testing.T) {
	srv, _ := zetaServer(t)
	ctx := context.Background()
	eng, err := duckdb.Open(ctx, config.DuckDB{})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	sections := map[string]string{
		"explain_uncounted": `SELECT * FROM (VALUES
			(NULL, NULL, 'web', 'quarantined: missing_received_at'),
			('R2', TIMESTAMPTZ '2026-11-20 10:00:00+00', 'web', 'rejected'),
			(NULL, TIMESTAMPTZ '2026-11-20 10:00:00+00', 'web', 'quarantined: no_valid_key'),
			('R1', NULL, 'web', 'quarantined: missing_received_at'),
			('R0', TIMESTAMPTZ '2026-11-19 10:00:00+00', 'crm, web', 'pending, and policy.apply_pending is false'))
			AS v(request_id, received_at, inputs, not_counted_because)`,
		"explain_request_rows": `SELECT * FROM (VALUES
			('web', 'b.parquet', 3, NULL, NULL, 'opt_out', 'advertising', 'verified', 'quarantined: missing_received_at'),
			('web', 'a.parquet', 7, TIMESTAMPTZ '2026-11-20 10:00:00+00', NULL, 'opt_out', 'advertising', 'verified', 'current'),
			('crm', 'a.parquet', 1, NULL, TIMESTAMPTZ '2026-11-21 10:00:00+00', 'opt_out', 'advertising', 'verified', 'quarantined: missing_received_at'),
			('web', 'a.parquet', 2, TIMESTAMPTZ '2026-11-20 10:00:00+00', TIMESTAMPTZ '2026-11-21 10:00:00+00', 'opt_out', 'advertising', 'pending', 'superseded by a later update'))
			AS v(input, file, "row", received_at, updated_at, request_type, categories, status, outcome)`,
	}
	read := func(dl transforms.Dialect) map[string]transforms.Step {
		p := transforms.Plan{Dialect: dl}
		person, err := p.ExplainSteps("email", "x@example.com")
		if err != nil {
			t.Fatal(err)
		}
		request, err := p.ExplainRequestSteps("R1", false)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]transforms.Step{}
		for _, s := range append(person, request...) {
			if s.Kind == transforms.Check {
				out[s.Table] = s
			}
		}
		return out
	}
	duck, big := read(transforms.DuckDB), read(transforms.BigQuery)
	for name, rows := range sections {
		query(t, eng, "CREATE TEMP TABLE "+transforms.Ident(transforms.TempName(name))+" AS "+rows)
		_, got, err := eng.Run(ctx, duck[name])
		if err != nil {
			t.Fatal(err)
		}
		want := canonRows(t, eng, transforms.Ident(transforms.TempName(name)), got)
		tb := mustReadTable(t, eng, transforms.TempName(name), "")
		b := big[name]
		cat := zetasql.Catalog{Tables: []zetasql.Table{tb.catalog()}}
		if err := srv.Analyze(ctx, b.SQL, cat, b.Args...); err != nil {
			t.Fatalf("%s: %v\n%s", b.Name, err, b.SQL)
		}
		res, err := srv.Evaluate(ctx, b.SQL, cat, map[string][][]string{tb.name: tb.cells})
		if err != nil {
			t.Fatalf("%s: %v\n%s", b.Name, err, b.SQL)
		}
		zeta, err := zetaRows(res)
		if err != nil {
			t.Fatal(err)
		}
		if diff := compareOrdered(want, zeta); diff != "" {
			t.Errorf("%s: %s", b.Name, diff)
		}
	}
}

// analyzeExplain runs one explanation's DuckDB steps in order and has
// ZetaSQL analyze each BigQuery step over cat and the sections' tables
// before it; it returns how many it analyzed.
func analyzeExplain(t *testing.T, srv *zetasql.Server, cat zetasql.Catalog, eng engine.Steps, duck, big []transforms.Step) int {
	t.Helper()
	ctx := context.Background()
	cat.Tables = append([]zetasql.Table{}, cat.Tables...)
	for i, d := range duck {
		if _, _, err := eng.Run(ctx, d); err != nil {
			t.Fatalf("step %s on DuckDB: %v", d.Name, err)
		}
		if err := srv.Analyze(ctx, big[i].SQL, cat, big[i].Args...); err != nil {
			t.Errorf("step %s: %v\n%s", big[i].Name, err, big[i].SQL)
		}
		if d.Kind == transforms.Temp {
			cat.Tables = append(cat.Tables, mustReadTable(t, eng, transforms.TempName(d.Table), "").catalog())
		}
	}
	return len(big)
}
