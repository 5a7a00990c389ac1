package bigquery

import (
	"context"
	"strings"
	"testing"

	"github.com/optout-dev/optout/internal/exit"
	"github.com/optout-dev/optout/internal/testkit/bqfake"
	"github.com/optout-dev/optout/internal/testkit/zetasql"
)

// addTables gives the fake server tables from name, type pairs; a type
// "ARRAY<T>" is a REPEATED T column.
func addTables(f *bqfake.Server, tables map[string][]string) {
	for name, cols := range tables {
		var spec []string
		for i := 0; i+1 < len(cols); i += 2 {
			typ := cols[i+1]
			if inner, ok := strings.CutPrefix(typ, "ARRAY<"); ok {
				typ = strings.TrimSuffix(inner, ">") + " REPEATED"
			}
			spec = append(spec, cols[i]+" "+typ)
		}
		f.AddTable(name, strings.Join(spec, ", "))
	}
}

// sentStatements are the query jobs the engine sent from job index from on, by step label.
func sentStatements(f *bqfake.Server, from int) (steps, sqls []string) {
	for _, j := range f.Jobs()[from:] {
		steps = append(steps, j.Step)
		sqls = append(sqls, j.SQL)
	}
	return steps, sqls
}

// TestWriteBack (fake server): the flag columns, then the update from D's
// partition of customers_flagged, one job each, under the write-back's
// step names; the update's count of changed rows is returned. A flag
// column of another type, a missing id column or table is exit 3 with no
// job sent; a dry (plan) engine refuses.
func TestWriteBack(t *testing.T) {
	ctx := context.Background()
	f := bqfake.New(t)
	f.DMLRows = 42
	addTables(f, map[string][]string{
		"crm.customers": {"Customer_ID", "STRING", "email", "STRING"},
		// flag columns written back before: the types write-back writes
		"crm.written":    {"customer_id", "INTEGER", "ccpa_opt_out", "BOOLEAN", "opt_out_date", "TIMESTAMP", "opt_out_categories", "ARRAY<STRING>"},
		"crm.bad_flag":   {"customer_id", "STRING", "ccpa_opt_out", "STRING"},
		"crm.bad_date":   {"customer_id", "STRING", "Opt_Out_Date", "DATETIME"},
		"crm.bad_list":   {"customer_id", "STRING", "opt_out_categories", "STRING"},
		"crm.without_id": {"email", "STRING"},
	})
	e, _ := newTestEngine(t, f)
	start := len(f.Jobs())
	defer e.Close()

	n, err := e.writeBack(ctx, "crm.customers", "customer_id", "2026-11-21")
	if err != nil || n != 42 {
		t.Fatalf("write-back: %d rows, %v; want the update's 42", n, err)
	}
	steps, sqls := sentStatements(f, start)
	if strings.Join(steps, ",") != "write_back_columns,write_back_update" {
		t.Fatalf("jobs %v, want the columns then the update", steps)
	}
	for _, want := range []string{"UPDATE `crm`.`customers` AS c", "FROM `proj`.`optout`.`customers_flagged` WHERE dt = CAST(DATE '2026-11-21' AS DATE)",
		"c.`Customer_ID` = f.`Customer_ID`", "TO_JSON_STRING(c.opt_out_categories) IS DISTINCT FROM TO_JSON_STRING(f.opt_out_categories)"} {
		if !strings.Contains(sqls[1], want) {
			t.Errorf("the update lacks %q:\n%s", want, sqls[1])
		}
	}
	if !strings.Contains(sqls[0], "ALTER TABLE `crm`.`customers`") || strings.Count(sqls[0], "ADD COLUMN IF NOT EXISTS") != 3 {
		t.Errorf("the columns statement:\n%s", sqls[0])
	}
	if _, err := e.writeBack(ctx, "crm.written", "customer_id", "2026-11-21"); err != nil {
		t.Errorf("a table written back before: %v", err)
	}

	for _, c := range []struct{ table, id, want string }{
		{"crm.bad_flag", "customer_id", "input customers: table crm.bad_flag: column ccpa_opt_out has type STRING; write_back writes BOOL: drop or rename the column"},
		{"crm.bad_date", "customer_id", "input customers: table crm.bad_date: column Opt_Out_Date has type DATETIME; write_back writes TIMESTAMP: drop or rename the column"},
		{"crm.bad_list", "customer_id", "input customers: table crm.bad_list: column opt_out_categories has type STRING; write_back writes ARRAY<STRING>: drop or rename the column"},
		{"crm.without_id", "customer_id", "input customers: table crm.without_id: column customer_id: required column is missing"},
		{"crm.missing", "customer_id", "does not exist"},
	} {
		start := len(f.Jobs())
		_, err := e.writeBack(ctx, c.table, c.id, "2026-11-21")
		if exit.Code(err) != exit.Input || err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v (exit %d), want exit 3 with %q", c.table, err, exit.Code(err), c.want)
		}
		if steps, _ := sentStatements(f, start); len(steps) != 0 {
			t.Errorf("%s: jobs %v sent", c.table, steps)
		}
	}

	e.Dry = true
	if _, err := e.writeBack(ctx, "crm.customers", "customer_id", "2026-11-21"); err == nil {
		t.Error("a dry engine wrote back")
	}
}

// TestWriteBackStatementsAnalyze: the write-back's two statements, as
// sent, analyzed by ZetaSQL: the ALTER TABLE against the customers table
// without the flag columns and with them (IF NOT EXISTS), the UPDATE
// against the table with them and the output table customers_flagged, for
// a STRING and an INT64 customer id. The same UPDATE against the table
// without the columns must fail analysis: the check sees them.
func TestWriteBackStatementsAnalyze(t *testing.T) {
	zs := zetasql.ForTest(t)
	ctx := context.Background()
	kinds := map[string]string{"STRING": `{"typeKind": "TYPE_STRING"}`, "INTEGER": `{"typeKind": "TYPE_INT64"}`, "BOOLEAN": `{"typeKind": "TYPE_BOOL"}`,
		"TIMESTAMP": `{"typeKind": "TYPE_TIMESTAMP"}`, "DATE": `{"typeKind": "TYPE_DATE"}`,
		"ARRAY<STRING>": `{"typeKind": "TYPE_ARRAY", "arrayType": {"elementType": {"typeKind": "TYPE_STRING"}}}`}
	table := func(name string, cols ...string) zetasql.Table {
		tb := zetasql.Table{Name: name}
		for i := 0; i+1 < len(cols); i += 2 {
			tb.Columns = append(tb.Columns, zetasql.Column{Name: cols[i], Type: kinds[cols[i+1]]})
		}
		return tb
	}
	flags := []string{"ccpa_opt_out", "BOOLEAN", "opt_out_date", "TIMESTAMP", "opt_out_categories", "ARRAY<STRING>"}
	for _, idType := range []string{"STRING", "INTEGER"} {
		t.Run(idType, func(t *testing.T) {
			f := bqfake.New(t)
			addTables(f, map[string][]string{"crm.customers": {"Customer_ID", idType, "email", "STRING"}})
			e, _ := newTestEngine(t, f)
			defer e.Close()
			start := len(f.Jobs())
			if _, err := e.writeBack(ctx, "crm.customers", "customer_id", "2026-11-21"); err != nil {
				t.Fatal(err)
			}
			_, sqls := sentStatements(f, start)
			if len(sqls) != 2 {
				t.Fatalf("%d statements sent", len(sqls))
			}
			alter, update := sqls[0], sqls[1]
			before := table("crm.customers", "Customer_ID", idType, "email", "STRING")
			after := table("crm.customers", append([]string{"Customer_ID", idType, "email", "STRING"}, flags...)...)
			published := table("proj.optout.customers_flagged", append([]string{"dt", "DATE", "Customer_ID", idType, "email", "STRING"}, flags...)...)
			for name, c := range map[string]struct {
				sql     string
				tables  []zetasql.Table
				wantErr string
			}{
				"columns added":       {alter, []zetasql.Table{before}, ""},
				"columns there":       {alter, []zetasql.Table{after}, ""},
				"update":              {update, []zetasql.Table{after, published}, ""},
				"update, no columns":  {update, []zetasql.Table{before, published}, "ccpa_opt_out"},
				"update, no D output": {update, []zetasql.Table{after}, "customers_flagged"},
			} {
				err := zs.Analyze(ctx, c.sql, zetasql.Catalog{Tables: c.tables})
				switch {
				case c.wantErr == "" && err != nil:
					t.Errorf("%s: %v\n%s", name, err, c.sql)
				case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
					t.Errorf("%s: %v, want an error naming %s", name, err, c.wantErr)
				}
			}
		})
	}
}
