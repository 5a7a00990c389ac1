package transforms

import (
	"reflect"
	"testing"
)

func TestSetFree(t *testing.T) {
	temp := func(name, sql string) Step { return Step{Name: name, Kind: Temp, Table: name, SQL: sql} }
	ph := Phases{
		Validate: []Step{
			temp("rows", "SELECT 1"),
			temp("rows_checked", "SELECT * FROM _optout_rows"), // read in Validate only
			{Name: "counts", Kind: Check, SQL: "SELECT count(*) FROM _optout_rows_checked"},
		},
		Transform: []Step{
			temp("keys", `SELECT * FROM "_optout_rows"`),
			temp("keys_2", "SELECT * FROM _optout_keys JOIN _optout_rows_x USING (id)"), // _optout_rows_x is not _optout_rows
			{Name: "out", Kind: Output, SQL: "SELECT * FROM _optout_keys_2 UNION ALL SELECT * FROM _optout_keys"},
			temp("unread", "SELECT 2"),
		},
	}
	ph.setFree()
	want := [][]string{{"rows", "rows_checked"}, nil, {"keys", "keys_2"}, {"unread"}}
	for i, s := range ph.Transform {
		if !reflect.DeepEqual(s.Free, want[i]) {
			t.Errorf("step %s frees %v, want %v", s.Name, s.Free, want[i])
		}
	}
}

func TestFreeStep(t *testing.T) {
	got := FreeStep(DuckDB, "", []string{"a", "b"}).SQL
	if want := "DROP TABLE IF EXISTS \"_optout_a\";\nDROP TABLE IF EXISTS \"_optout_b\";\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
