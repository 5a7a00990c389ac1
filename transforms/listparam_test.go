package transforms

import (
	"reflect"
	"strings"
	"testing"
)

// listParam binds a list as one JSON text on DuckDB and as struct literals
// on BigQuery; what DuckDB makes of the JSON is compared with BigQuery's
// rows in internal/testkit/parity (the runs row) and read back in jobs (the
// published files of the notifications).
func TestListParam(t *testing.T) {
	steps := []StepTime{{Step: `a "b" ü`, MS: 3}, {Step: "c", MS: 1 << 40}}
	for _, c := range []struct {
		d        Dialect
		elems    any
		sql      string
		wantArgs []any
	}{
		{DuckDB, steps, "CAST(CAST(? AS JSON) AS STRUCT(step VARCHAR, ms BIGINT)[])", []any{`[{"ms":3,"step":"a \"b\" ü"},{"ms":1099511627776,"step":"c"}]`}},
		{DuckDB, []StepTime(nil), "CAST(CAST(? AS JSON) AS STRUCT(step VARCHAR, ms BIGINT)[])", []any{"[]"}},
		{BigQuery, steps, "[STRUCT(CAST(? AS STRING) AS `step`, CAST(? AS INT64) AS `ms`), STRUCT(CAST(? AS STRING) AS `step`, CAST(? AS INT64) AS `ms`)]",
			[]any{`a "b" ü`, int64(3), "c", int64(1 << 40)}},
		{BigQuery, []StepTime{}, "CAST([] AS ARRAY<STRUCT<step STRING, ms INT64>>)", nil},
	} {
		var args []any
		param := func(v any) string { args = append(args, v); return "?" }
		sql, err := (&renderer{dialect: c.d}).listParam(param, "run_steps", c.elems)
		if err != nil || sql != c.sql || !reflect.DeepEqual(args, c.wantArgs) {
			t.Errorf("%v %v:\n got %s %#v, %v\nwant %s %#v", c.d, c.elems, sql, args, err, c.sql, c.wantArgs)
		}
	}
	param := func(any) string { return "?" }
	for _, bad := range []any{StepTime{}, []string{"x"}, []struct{ X string }{{"x"}}, []struct {
		X float64 `sql:"x"`
	}{{1}}} {
		if sql, err := (&renderer{dialect: DuckDB}).listParam(param, "run_steps", bad); err == nil || !strings.Contains(err.Error(), "run_steps") {
			t.Errorf("%T: %q, %v; want an error naming the list", bad, sql, err)
		}
	}
}
