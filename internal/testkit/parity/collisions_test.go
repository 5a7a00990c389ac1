package parity

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/optout-dev/optout/internal/engine"
	"github.com/optout-dev/optout/transforms"
)

// TestRequestIDCollisionsMatchDuckDB: the BigQuery form of
// request_id_collisions finds the collisions DuckDB finds. No case folder
// can hold one (its run stops in the Validate phase, before the steps
// TestStepsMatchDuckDB compares), so the demo's request rows are given
// three: a web_form request's row copied into preference_center with other
// identifiers (two systems' ids colliding), another copied as it is (one
// request's rows in two sources, which is not a collision), and a third
// copied into web_form itself, from another file, with other identifiers
// (one system reusing its ids).
func TestRequestIDCollisionsMatchDuckDB(t *testing.T) {
	srv, fns := zetaServer(t)
	ctx := context.Background()
	_, in := inspectDemo(t, false)
	duck := checkStep(t, in.Phases, "request_id_collisions")
	bq := in.Plan
	bq.Dialect = transforms.BigQuery
	ph, err := bq.Build()
	if err != nil {
		t.Fatal(err)
	}
	big := checkStep(t, ph, "request_id_collisions")

	if got := duckRows(t, in.Engine, duck); got.rows[0] != "(0, NULL)" {
		t.Fatalf("the demo has a collision before any is added: %v", got.rows)
	}
	from, to := transforms.Ident(transforms.TempName("request_rows__web_form")), transforms.Ident(transforms.TempName("request_rows__preference_center"))
	ids := query(t, in.Engine, "SELECT request_id FROM "+from+
		" WHERE reason IS NULL AND updated_at < TIMESTAMPTZ '2026-11-01 00:00:00+00' ORDER BY request_id LIMIT 3")
	if len(ids) != 3 {
		t.Fatalf("the demo's web_form has %d used rows before November", len(ids))
	}
	// The example is the least: the reused id's, naming the two files.
	reused, shared, colliding := ids[0]["request_id"].(string), ids[1]["request_id"].(string), ids[2]["request_id"].(string)
	// copyRow copies request id's row into the source rows into, with the
	// keys given; file, when not empty, is the copy's _file.
	copyRow := func(into, id, keys, file string) {
		cols := "request_id, received_at, updated_at, request_type, categories, status, reason, " + keys + " AS keys"
		if file != "" {
			cols += ", _row, " + file + " AS _file"
		}
		q := "INSERT INTO " + into + " BY NAME SELECT " + cols + " FROM " + from + " f WHERE request_id = " + transforms.Literal(id)
		if _, _, err := in.Engine.Run(ctx, transforms.Step{Name: "add rows", Kind: transforms.Setup, SQL: q}); err != nil {
			t.Fatal(err)
		}
	}
	otherKeys := "list_transform(keys, k -> struct_pack(kind := k.kind, value := 'someone.else.' || k.value))"
	copyRow(to, colliding, otherKeys, "")
	copyRow(to, shared, "keys", "")
	// web_form's _file is an ENUM of its files' paths: the copy takes another.
	copyRow(from, reused, otherKeys, "(SELECT CASE WHEN f._file = max(_file) THEN min(_file) ELSE max(_file) END FROM "+from+")")

	want := duckRows(t, in.Engine, duck)
	if len(want.rows) != 1 || !strings.HasPrefix(want.rows[0], "(2, ") || !strings.Contains(want.rows[0], reused+" in source web_form, files ") {
		t.Fatalf("DuckDB: want two collisions, of %s and %s, the example naming %s's two files, got %v %v", reused, colliding, reused, want.cols, want.rows)
	}
	cat, content := scope(readTables(t, in.Engine), fns, big.SQL)
	got, err := bigQueryRows(ctx, srv, big.SQL, big.Args, cat, content)
	if err != nil {
		t.Fatal(err)
	}
	if diff := compare(want, got); diff != "" {
		t.Errorf("BigQuery SQL under ZetaSQL differs from DuckDB:\n%s", diff)
	}
}

// checkStep returns the step named name of the Validate phase.
func checkStep(t *testing.T, ph transforms.Phases, name string) transforms.Step {
	t.Helper()
	for _, s := range ph.Validate {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no Validate step %s", name)
	return transforms.Step{}
}

// TestBigQueryTiedRowsFailClosed: two rows of one request with one
// updated_at. DuckDB takes the later row of the file (SPEC §3.1); a
// BigQuery table has no row order, its _row being a hash of the row, so
// there the row under which the request suppresses most is current: a
// counted opt-out before a rejected row, a rejected row before a counted
// opt-in, whichever _row is greater.
func TestBigQueryTiedRowsFailClosed(t *testing.T) {
	srv, fns := zetaServer(t)
	ctx := context.Background()
	_, in := inspectDemo(t, false)
	bq := in.Plan
	bq.Dialect = transforms.BigQuery
	ph, err := bq.Build()
	if err != nil {
		t.Fatal(err)
	}
	big := checkStep(t, ph, "current_requests")
	from := transforms.Ident(transforms.TempName("request_rows__web_form"))
	ids := query(t, in.Engine, "SELECT request_id FROM "+from+
		" WHERE reason IS NULL AND status IN ('verified', 'processed') AND request_type = 'opt_out' AND updated_at < TIMESTAMPTZ '2026-11-01 00:00:00+00' ORDER BY request_id LIMIT 3")
	if len(ids) != 3 {
		t.Fatalf("the demo's web_form has %d counted opt-outs before November", len(ids))
	}
	optOut, optIn, wide := ids[0]["request_id"].(string), ids[1]["request_id"].(string), ids[2]["request_id"].(string)
	for _, q := range []string{
		// optOut: a rejected row at the same time, with the greater _row.
		"INSERT INTO " + from + " BY NAME SELECT * REPLACE ('rejected' AS status, _row + 1000000 AS _row) FROM " + from + " WHERE request_id = " + transforms.Literal(optOut),
		// optIn: made an opt-in that counts, and a rejected row at the
		// same time with the smaller _row.
		"UPDATE " + from + " SET request_type = 'opt_in', _row = _row + 1000000 WHERE request_id = " + transforms.Literal(optIn),
		"INSERT INTO " + from + " BY NAME SELECT * REPLACE ('rejected' AS status, _row - 1000000 AS _row) FROM " + from + " WHERE request_id = " + transforms.Literal(optIn),
		// wide: an opt-out of all, and one of analytics alone at the same
		// time with the greater _row.
		"UPDATE " + from + " SET categories = ['all'] WHERE request_id = " + transforms.Literal(wide),
		"INSERT INTO " + from + " BY NAME SELECT * REPLACE (['analytics'] AS categories, _row + 1000000 AS _row) FROM " + from + " WHERE request_id = " + transforms.Literal(wide),
	} {
		if _, _, err := in.Engine.Run(ctx, transforms.Step{Name: "tie", Kind: transforms.Setup, SQL: q}); err != nil {
			t.Fatal(err)
		}
	}
	pick := "SELECT request_id, status, counted FROM (%s) WHERE request_id IN (" + transforms.Literal(optOut) + ", " + transforms.Literal(optIn) + ") ORDER BY request_id"
	row := func(id, status string, counted bool) string { return fmt.Sprintf("(%q, %q, %v)", id, status, counted) }
	// DuckDB: the later row of the file, the tie being within one file.
	step := checkStep(t, in.Phases, "current_requests")
	duck := duckRows(t, in.Engine, transforms.Step{Name: step.Name, SQL: fmt.Sprintf(pick, step.SQL), Args: step.Args})
	if got, want := strings.Join(duck.rows, " "), row(optOut, "rejected", false)+" "+row(optIn, statusOf(t, in.Engine, from, optIn), true); got != want {
		t.Errorf("DuckDB's current rows of the tied requests:\n got %s\nwant %s (the later rows)", got, want)
	}
	cat, content := scope(readTables(t, in.Engine), fns, big.SQL)
	got, err := bigQueryRows(ctx, srv, fmt.Sprintf(pick, big.SQL), big.Args, cat, content)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(got.rows, " "), row(optOut, statusOf(t, in.Engine, from, optOut), true)+" "+row(optIn, "rejected", false); got != want {
		t.Errorf("BigQuery's current rows of the tied requests:\n got %s\nwant %s", got, want)
	}
	cats := "SELECT ARRAY_TO_STRING(categories, ',') AS c FROM (%s) WHERE request_id = " + transforms.Literal(wide)
	if got, err := bigQueryRows(ctx, srv, fmt.Sprintf(cats, big.SQL), big.Args, cat, content); err != nil || strings.Join(got.rows, " ") != `("all")` {
		t.Errorf("BigQuery's current row of two opt-outs at one time: %v %v, want the one of all", got.rows, err)
	}
}

// statusOf is the status of request id's row that is not rejected.
func statusOf(t *testing.T, eng engine.Steps, rel, id string) string {
	t.Helper()
	rows := query(t, eng, "SELECT any_value(status) AS s FROM "+rel+" WHERE status <> 'rejected' AND request_id = "+transforms.Literal(id))
	return rows[0]["s"].(string)
}
