package transforms

import (
	"reflect"
	"testing"
)

func TestSetFree(t *testing.T) {
	temp := func(name string, reads ...string) Step {
		return Step{Name: name, Kind: Temp, Table: name, Reads: reads}
	}
	ph := Phases{
		Validate: []Step{
			temp("rows", "src_customers"),
			temp("rows_checked", "_optout_rows"), // read in Validate only
			{Name: "counts", Kind: Check, Reads: []string{"_optout_rows_checked"}},
		},
		Transform: []Step{
			temp("keys", "_optout_rows"),
			temp("keys_2", "_optout_keys", "_optout_rows_x"), // _optout_rows_x is not _optout_rows
			{Name: "out", Kind: Output, Reads: []string{"_optout_keys_2", "_optout_keys"}},
			temp("unread"),
		},
	}
	ph.setFree()
	// rows_checked's last reader is a Validate step: it goes there, before
	// the Transform phase.
	want := [][]string{nil, nil, {"rows_checked"}, {"rows"}, nil, {"keys", "keys_2"}, {"unread"}}
	for i, s := range append(append([]Step{}, ph.Validate...), ph.Transform...) {
		if !reflect.DeepEqual(s.Free, want[i]) {
			t.Errorf("step %s frees %v, want %v", s.Name, s.Free, want[i])
		}
	}
}

// A step's Reads are the relations its template named, through tmp and
// rel, in the order it named them; a plan frees what they say.
func TestRenderDeclaresWhatItReads(t *testing.T) {
	r, err := newRenderer(DuckDB)
	if err != nil {
		t.Fatal(err)
	}
	r.tmpl, err = r.tmpl.Clone()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.tmpl.New("reads_test").Parse(`SELECT * FROM {{ tmp "a" }} JOIN {{ rel "src_b" }} USING (id)`); err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.render("reads_test", nil); err != nil {
		t.Fatal(err)
	}
	if want := []string{"_optout_a", "src_b"}; !reflect.DeepEqual(r.reads, want) {
		t.Errorf("reads %v, want %v", r.reads, want)
	}
}

func TestFreeStep(t *testing.T) {
	got := FreeStep(DuckDB, "", []string{"a", "b"}).SQL
	if want := "DROP TABLE IF EXISTS \"_optout_a\";\nDROP TABLE IF EXISTS \"_optout_b\";\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
