package parity

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/optout-dev/optout/internal/engine"
	"github.com/optout-dev/optout/internal/testkit/casefolder"
	"github.com/optout-dev/optout/internal/testkit/zetasql"
	"github.com/optout-dev/optout/transforms"
)

// caseInputs prepares a case folder in a work folder, as the case runner does.
func caseInputs(t *testing.T, dir string) string {
	t.Helper()
	work := t.TempDir()
	if err := casefolder.Prepare(dir, work); err != nil {
		t.Fatal(err)
	}
	return work
}

// sqlType is a column type both engines share.
type sqlType struct {
	kind   string // STRING, INT64, BOOL, DOUBLE, TIMESTAMP, DATE, ARRAY, STRUCT
	elem   *sqlType
	fields []field
}

type field struct {
	name string
	t    sqlType
}

// parseDuckType reads a DuckDB type name.
func parseDuckType(s string) (sqlType, error) {
	s = strings.TrimSpace(s)
	if inner, ok := strings.CutSuffix(s, "[]"); ok {
		e, err := parseDuckType(inner)
		return sqlType{kind: "ARRAY", elem: &e}, err
	}
	if inner, ok := strings.CutPrefix(s, "MAP("); ok {
		// GoogleSQL has no MAP: BigQuery holds one as repeated key/value
		// records, as the steps' text_map type says; readTable reads it
		// through map_entries, which keeps the entries' order.
		kv := splitTop(strings.TrimSuffix(inner, ")"))
		if len(kv) != 2 {
			return sqlType{}, fmt.Errorf("cannot read map type %s", s)
		}
		k, err := parseDuckType(kv[0])
		if err != nil {
			return k, err
		}
		v, err := parseDuckType(kv[1])
		entry := sqlType{kind: "STRUCT", fields: []field{{"key", k}, {"value", v}}}
		return sqlType{kind: "ARRAY", elem: &entry}, err
	}
	if inner, ok := strings.CutPrefix(s, "STRUCT("); ok {
		st := sqlType{kind: "STRUCT"}
		for _, part := range splitTop(strings.TrimSuffix(inner, ")")) {
			part = strings.TrimSpace(part)
			var name, rest string
			if strings.HasPrefix(part, `"`) {
				end := strings.Index(part[1:], `"`) + 1
				name, rest = part[1:end], part[end+1:]
			} else {
				name, rest, _ = strings.Cut(part, " ")
			}
			ft, err := parseDuckType(rest)
			if err != nil {
				return st, err
			}
			st.fields = append(st.fields, field{name, ft})
		}
		return st, nil
	}
	if strings.HasPrefix(s, "ENUM(") { // _file of the input views, a key's kind: a STRING on BigQuery
		return sqlType{kind: "STRING"}, nil
	}
	switch s {
	case "VARCHAR":
		return sqlType{kind: "STRING"}, nil
	case "BIGINT", "INTEGER", "SMALLINT", "TINYINT":
		return sqlType{kind: "INT64"}, nil
	case "HUGEINT": // DuckDB's sum of BIGINTs, where BigQuery's SUM of INT64 is an INT64
		return sqlType{kind: "INT64"}, nil
	case "BOOLEAN":
		return sqlType{kind: "BOOL"}, nil
	case "DOUBLE", "FLOAT":
		return sqlType{kind: "DOUBLE"}, nil
	case "TIMESTAMP WITH TIME ZONE", "TIMESTAMP":
		return sqlType{kind: "TIMESTAMP"}, nil
	case "DATE":
		return sqlType{kind: "DATE"}, nil
	}
	return sqlType{}, fmt.Errorf("no GoogleSQL type for DuckDB's %s", s)
}

// splitTop splits at the commas outside parentheses.
func splitTop(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// proto renders the zetasql.TypeProto JSON of t.
func (t sqlType) proto() string {
	switch t.kind {
	case "ARRAY":
		return `{"typeKind": "TYPE_ARRAY", "arrayType": {"elementType": ` + t.elem.proto() + `}}`
	case "STRUCT":
		var fs []string
		for _, f := range t.fields {
			n, _ := json.Marshal(f.name)
			fs = append(fs, `{"fieldName": `+string(n)+`, "fieldType": `+f.t.proto()+`}`)
		}
		return `{"typeKind": "TYPE_STRUCT", "structType": {"field": [` + strings.Join(fs, ", ") + `]}}`
	}
	return `{"typeKind": "TYPE_` + t.kind + `"}`
}

// cell renders a DuckDB value of type t as zetasql.ValueProto JSON.
func (t sqlType) cell(v any) (string, error) {
	if v == nil {
		return "{}", nil
	}
	switch t.kind {
	case "STRING":
		s, ok := v.(string)
		if !ok {
			return "", fmt.Errorf("%T is not a string", v)
		}
		b, _ := json.Marshal(s)
		return `{"stringValue": ` + string(b) + `}`, nil
	case "INT64":
		return fmt.Sprintf(`{"int64Value": "%v"}`, v), nil
	case "BOOL":
		return fmt.Sprintf(`{"boolValue": %v}`, v), nil
	case "DOUBLE":
		return fmt.Sprintf(`{"doubleValue": %v}`, v), nil
	case "TIMESTAMP":
		return `{"timestampValue": "` + v.(time.Time).UTC().Format(time.RFC3339Nano) + `"}`, nil
	case "DATE":
		return fmt.Sprintf(`{"dateValue": %d}`, v.(time.Time).Unix()/86400), nil
	case "ARRAY":
		var es []string
		for _, e := range v.([]any) {
			c, err := t.elem.cell(e)
			if err != nil {
				return "", err
			}
			es = append(es, c)
		}
		return `{"arrayValue": {"element": [` + strings.Join(es, ", ") + `]}}`, nil
	case "STRUCT":
		m := v.(map[string]any)
		var fs []string
		for _, f := range t.fields {
			c, err := f.t.cell(m[f.name])
			if err != nil {
				return "", err
			}
			fs = append(fs, c)
		}
		return `{"structValue": {"field": [` + strings.Join(fs, ", ") + `]}}`, nil
	}
	return "", fmt.Errorf("no value of kind %s", t.kind)
}

// canon renders a DuckDB value of type t in the form compare uses.
func (t sqlType) canon(v any) string {
	if v == nil {
		return "NULL"
	}
	switch t.kind {
	case "STRING":
		return strconv.Quote(v.(string))
	case "TIMESTAMP":
		return "ts:" + v.(time.Time).UTC().Format(time.RFC3339Nano)
	case "DATE":
		return "d:" + v.(time.Time).Format(time.DateOnly)
	case "ARRAY":
		var es []string
		for _, e := range v.([]any) {
			es = append(es, t.elem.canon(e))
		}
		return "[" + strings.Join(es, ", ") + "]"
	case "STRUCT":
		m := v.(map[string]any)
		var fs []string
		for _, f := range t.fields {
			fs = append(fs, f.name+": "+f.t.canon(m[f.name]))
		}
		return "{" + strings.Join(fs, ", ") + "}"
	}
	return fmt.Sprint(v)
}

// table is a DuckDB relation a step may read: its columns and its rows as
// ValueProto cells.
type table struct {
	name  string
	cols  []string
	types []sqlType
	cells [][]string
}

func (tb table) catalog() zetasql.Table {
	t := zetasql.Table{Name: tb.name}
	for i, c := range tb.cols {
		t.Columns = append(t.Columns, zetasql.Column{Name: c, Type: tb.types[i].proto()})
	}
	return t
}

// query runs one statement on the engine and returns its rows.
func query(t *testing.T, eng engine.Steps, sql string, args ...any) []engine.Row {
	t.Helper()
	_, rows, err := eng.Run(context.Background(), transforms.Step{Name: "parity", Kind: transforms.Check, SQL: sql, Args: args})
	if err != nil {
		t.Fatalf("%v\n%s", err, sql)
	}
	return rows
}

// describe returns the columns of a relation, in order, and which are
// MAPs (read through map_entries); err names a column of a type with no
// GoogleSQL counterpart.
func describe(t *testing.T, eng engine.Steps, relation string) (cols []string, types []sqlType, maps map[string]bool, err error) {
	maps = map[string]bool{}
	for _, r := range query(t, eng, "DESCRIBE "+relation) {
		name, duckType := r["column_name"].(string), r["column_type"].(string)
		ty, perr := parseDuckType(duckType)
		if perr != nil && err == nil {
			err = fmt.Errorf("column %s: %w", name, perr)
		}
		cols, types = append(cols, name), append(types, ty)
		maps[name] = strings.HasPrefix(duckType, "MAP(")
	}
	return cols, types, maps, err
}

// readTables reads every input view, temp table and earlier output the run
// (or explain) registered.
func readTables(t *testing.T, eng engine.Steps) []table {
	var out []table
	for _, r := range query(t, eng, "SELECT table_name FROM information_schema.tables ORDER BY table_name") {
		name := r["table_name"].(string)
		if !strings.HasPrefix(name, "src_") && !strings.HasPrefix(name, "_optout_") && !strings.HasPrefix(name, "prev_") && !strings.HasPrefix(name, "history__") &&
			name != transforms.PublishedNotifications {
			continue
		}
		tb, err := readTable(t, eng, name, "")
		if err != nil {
			// Left out of the catalog: a step reading it fails analysis
			// with "Table not found", naming it.
			t.Logf("table %s left out: %v", name, err)
			continue
		}
		out = append(out, tb)
	}
	return out
}

// readTable reads the rows of one relation where cond holds ("": all).
func readTable(t *testing.T, eng engine.Steps, name, cond string) (table, error) {
	t.Helper()
	cols, types, maps, err := describe(t, eng, transforms.Ident(name))
	if err != nil {
		return table{}, err
	}
	tb := table{name: name, cols: cols, types: types}
	var items []string
	for _, c := range cols {
		item := transforms.Ident(c)
		if maps[c] {
			item = "map_entries(" + item + ") AS " + item
		}
		items = append(items, item)
	}
	q := "SELECT " + strings.Join(items, ", ") + " FROM " + transforms.Ident(name)
	if cond != "" {
		q += " WHERE " + cond
	}
	for _, row := range query(t, eng, q) {
		var cells []string
		for i, c := range cols {
			cell, err := types[i].cell(row[c])
			if err != nil {
				t.Fatalf("table %s column %s: %v", name, c, err)
			}
			cells = append(cells, cell)
		}
		tb.cells = append(tb.cells, cells)
	}
	return tb, nil
}

// mustReadTable is readTable for a relation every step of the test needs.
func mustReadTable(t *testing.T, eng engine.Steps, name, cond string) table {
	t.Helper()
	tb, err := readTable(t, eng, name, cond)
	if err != nil {
		t.Fatalf("table %s: %v", name, err)
	}
	return tb
}

// result is a step's rows in canonical form.
type result struct {
	cols []string
	rows []string
}

// duckRows runs a DuckDB step's query into a scratch table and reads it.
func duckRows(t *testing.T, eng engine.Steps, s transforms.Step) result {
	t.Helper()
	scratch := transforms.Step{Name: "parity", Kind: transforms.Temp, Table: "parity", SQL: s.SQL, Args: s.Args}
	if _, _, err := eng.Run(context.Background(), scratch); err != nil {
		t.Fatalf("step %s on DuckDB: %v", s.Name, err)
	}
	return canonRows(t, eng, transforms.Ident(transforms.TempName("parity")), nil)
}

// canonRows reads a relation's rows in canonical form: rows, when given,
// are rows of its columns (a Check step's, in their order), else all of it.
func canonRows(t *testing.T, eng engine.Steps, rel string, rows []engine.Row) result {
	t.Helper()
	cols, types, _, err := describe(t, eng, rel)
	if err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	if rows == nil {
		rows = query(t, eng, "SELECT * FROM "+rel)
	}
	res := result{cols: cols}
	for _, row := range rows {
		var vs []string
		for i, c := range cols {
			vs = append(vs, types[i].canon(row[c]))
		}
		res.rows = append(res.rows, "("+strings.Join(vs, ", ")+")")
	}
	return res
}

// writtenTable materializes an export step's rows on DuckDB as the view
// its leak check reads, and returns them as a table.
func writtenTable(t *testing.T, eng engine.Steps, s transforms.Step) table {
	t.Helper()
	name := transforms.Ident(s.WrittenView)
	query(t, eng, "CREATE OR REPLACE TEMP TABLE "+name+" AS "+s.SQL, s.Args...)
	return mustReadTable(t, eng, s.WrittenView, "")
}

// zetaRows reads an EvaluateQuery response in canonical form.
func zetaRows(res json.RawMessage) (result, error) {
	var r struct {
		Content struct {
			TableData struct {
				Row []struct {
					Cell []json.RawMessage `json:"cell"`
				} `json:"row"`
			} `json:"tableData"`
		} `json:"content"`
		Prepared struct {
			Columns []struct {
				Name string          `json:"name"`
				Type json.RawMessage `json:"type"`
			} `json:"columns"`
		} `json:"prepared"`
	}
	if err := json.Unmarshal(res, &r); err != nil {
		return result{}, err
	}
	var out result
	for _, c := range r.Prepared.Columns {
		out.cols = append(out.cols, c.Name)
	}
	for _, row := range r.Content.TableData.Row {
		var vs []string
		for i, cell := range row.Cell {
			v, err := zetaCanon(r.Prepared.Columns[i].Type, cell)
			if err != nil {
				return out, err
			}
			vs = append(vs, v)
		}
		out.rows = append(out.rows, "("+strings.Join(vs, ", ")+")")
	}
	return out, nil
}

// zetaCanon renders a ValueProto of TypeProto typ in the form compare uses.
func zetaCanon(typ, val json.RawMessage) (string, error) {
	var ty struct {
		Kind  string `json:"typeKind"`
		Array struct {
			Elem json.RawMessage `json:"elementType"`
		} `json:"arrayType"`
		Struct struct {
			Field []struct {
				Name string          `json:"fieldName"`
				Type json.RawMessage `json:"fieldType"`
			} `json:"field"`
		} `json:"structType"`
	}
	var v map[string]json.RawMessage
	if err := json.Unmarshal(typ, &ty); err != nil {
		return "", err
	}
	if err := json.Unmarshal(val, &v); err != nil {
		return "", err
	}
	if len(v) == 0 {
		return "NULL", nil
	}
	unquote := func(key string) string {
		var s string
		json.Unmarshal(v[key], &s)
		return s
	}
	switch ty.Kind {
	case "TYPE_STRING":
		return strconv.Quote(unquote("stringValue")), nil
	case "TYPE_INT64":
		return unquote("int64Value"), nil
	case "TYPE_INT32":
		return string(v["int32Value"]), nil
	case "TYPE_BOOL":
		return string(v["boolValue"]), nil
	case "TYPE_DOUBLE":
		return string(v["doubleValue"]), nil
	case "TYPE_TIMESTAMP":
		ts, err := time.Parse(time.RFC3339Nano, unquote("timestampValue"))
		return "ts:" + ts.UTC().Format(time.RFC3339Nano), err
	case "TYPE_DATE":
		var days int64
		json.Unmarshal(v["dateValue"], &days)
		return "d:" + time.Unix(days*86400, 0).UTC().Format(time.DateOnly), nil
	case "TYPE_ARRAY":
		var a struct {
			Element []json.RawMessage `json:"element"`
		}
		json.Unmarshal(v["arrayValue"], &a)
		var es []string
		for _, e := range a.Element {
			s, err := zetaCanon(ty.Array.Elem, e)
			if err != nil {
				return "", err
			}
			es = append(es, s)
		}
		return "[" + strings.Join(es, ", ") + "]", nil
	case "TYPE_STRUCT":
		var st struct {
			Field []json.RawMessage `json:"field"`
		}
		json.Unmarshal(v["structValue"], &st)
		var fs []string
		for i, f := range ty.Struct.Field {
			s, err := zetaCanon(f.Type, st.Field[i])
			if err != nil {
				return "", err
			}
			fs = append(fs, f.Name+": "+s)
		}
		return "{" + strings.Join(fs, ", ") + "}", nil
	}
	return "", fmt.Errorf("no canonical form for %s", ty.Kind)
}

// compare returns "" when both results have the same columns in the same
// order and the same rows in any order, else what differs.
func compare(want, got result) string {
	if strings.Join(want.cols, ",") != strings.Join(got.cols, ",") {
		return fmt.Sprintf("columns: duckdb %v, bigquery %v", want.cols, got.cols)
	}
	count := map[string]int{}
	for _, r := range want.rows {
		count[r]++
	}
	for _, r := range got.rows {
		count[r]--
	}
	var diff []string
	for r, n := range count {
		switch {
		case n > 0:
			diff = append(diff, fmt.Sprintf("only on duckdb (%d×): %s", n, r))
		case n < 0:
			diff = append(diff, fmt.Sprintf("only on bigquery (%d×): %s", -n, r))
		}
	}
	sort.Strings(diff)
	if len(diff) > 10 {
		diff = append(diff[:10], fmt.Sprintf("... %d more", len(diff)-10))
	}
	return strings.Join(diff, "\n")
}

// bigQueryRows analyzes a BigQuery statement with ZetaSQL, evaluates it
// with its parameters as literals over content, and returns its rows in
// canonical form; the error says which of the two failed, with the SQL.
func bigQueryRows(ctx context.Context, srv *zetasql.Server, sql string, args []any, cat zetasql.Catalog, content map[string][][]string) (result, error) {
	if err := srv.Analyze(ctx, sql, cat, args...); err != nil {
		return result{}, fmt.Errorf("ZetaSQL analysis: %w\n%s", err, sql)
	}
	inlined, err := inlineParams(sql, args)
	if err != nil {
		return result{}, err
	}
	res, err := srv.Evaluate(ctx, inlined, cat, content)
	if err != nil {
		return result{}, fmt.Errorf("ZetaSQL evaluation: %w\n%s", err, inlined)
	}
	return zetaRows(res)
}

// inlineParams replaces each positional parameter with a GoogleSQL
// literal of its value: ZetaSQL's evaluator takes named parameters only.
// Analyze checks the statement as sent.
func inlineParams(sql string, args []any) (string, error) {
	var failed error
	out, _, err := transforms.InlineParams(sql, args, func(v any) (string, bool) {
		lit, err := literal(v)
		if err != nil && failed == nil {
			failed = err
		}
		return lit, true
	})
	if err == nil {
		err = failed
	}
	return out, err
}

func literal(v any) (string, error) {
	if s, ok := v.(string); ok {
		return transforms.BigQuery.Literal(s), nil
	}
	if lit, ok := transforms.SafeLiteral(v); ok {
		return lit, nil
	}
	return "", fmt.Errorf("no GoogleSQL literal for %T", v)
}
