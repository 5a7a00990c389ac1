package parity

import (
	"context"
	"strings"
	"testing"

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
