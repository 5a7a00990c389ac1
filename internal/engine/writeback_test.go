package engine

import (
	"testing"

	"github.com/optout-dev/optout/internal/exit"
	"github.com/optout-dev/optout/schemas"
)

func TestCheckFlagColumns(t *testing.T) {
	types := map[string]string{"ccpa_opt_out": "BOOL", "opt_out_date": "TIMESTAMP", "opt_out_categories": "ARRAY<STRING>"}
	field := func(name, typ string) schemas.Field { return schemas.Field{Name: name, Type: typ} }
	id := field("customer_id", "STRING")
	for _, fields := range [][]schemas.Field{
		{id},
		{id, field("ccpa_opt_out", "BOOL"), field("opt_out_date", "TIMESTAMP"), field("opt_out_categories", "ARRAY<STRING>")},
		{id, field("CCPA_Opt_Out", "BOOL")},
	} {
		if err := CheckFlagColumns("crm.customers", fields, types); err != nil {
			t.Errorf("%v: %v", fields, err)
		}
	}
	// The first flag column of another type, in the flags' order, named as the table spells it.
	err := CheckFlagColumns("crm.customers", []schemas.Field{id, field("opt_out_categories", "STRING"), field("Opt_Out_Date", "DATE")}, types)
	want := "input customers: table crm.customers: column Opt_Out_Date has type DATE; write_back writes TIMESTAMP: drop or rename the column"
	if exit.Code(err) != exit.Input || err == nil || err.Error() != want {
		t.Errorf("got %v (exit %d), want exit 3: %s", err, exit.Code(err), want)
	}
}
