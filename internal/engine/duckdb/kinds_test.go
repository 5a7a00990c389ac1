package duckdb

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/optout-dev/optout/schemas"
	"github.com/optout-dev/optout/transforms"
)

// A key's kind is an ENUM of the identifier kinds on DuckDB (a byte a key
// in the tables that hold keys), which orders as the kinds' text does.
func TestKeyKindIsAnEnumOrderedAsText(t *testing.T) {
	ctx, e := context.Background(), openEngine(t)
	var kinds []string
	for _, k := range schemas.IdentifierKinds {
		kinds = append(kinds, "SELECT "+transforms.DuckDB.KeyKind(k)+" AS kind")
	}
	rows, err := e.Query(ctx, "SELECT CAST(kind AS VARCHAR) AS name, typeof(kind) AS type FROM ("+strings.Join(kinds, " UNION ALL ")+") ORDER BY kind")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, str(r["name"]))
		if typ := str(r["type"]); !strings.HasPrefix(typ, "ENUM(") {
			t.Fatalf("kind %v is %s, want an ENUM", r["name"], typ)
		}
	}
	want := slices.Sorted(slices.Values(schemas.IdentifierKinds))
	if !slices.Equal(got, want) {
		t.Errorf("kinds ordered %v, want %v", got, want)
	}
}
