// Package zetasql drives Google's ZetaSQL local server (the npm package
// @fivetrandevelopers/zetasql ships it) so that tests can check GoogleSQL
// — the BigQuery dialect — with Google's own analyzer. It speaks gRPC with
// messages built at run time from the server's shipped .proto files: no
// generated code.
package zetasql

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/bufbuild/protocompile"
	"github.com/bufbuild/protocompile/linker"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/optout-dev/optout/transforms"
)

const service = "zetasql.local_service.ZetaSqlLocalService"

// Server is a running ZetaSQL local server and a connection to it.
type Server struct {
	cmd      *exec.Cmd
	conn     *grpc.ClientConn
	methods  protoreflect.ServiceDescriptor
	language json.RawMessage // LanguageOptionsProto with every feature on
}

// Start runs the server found in dir (the package's lib/zetasql folder,
// which holds remote_server.so and protos/) on a free local port.
func Start(ctx context.Context, dir string) (*Server, error) {
	files, err := (&protocompile.Compiler{
		Resolver: protocompile.WithStandardImports(&protocompile.SourceResolver{ImportPaths: []string{filepath.Join(dir, "protos")}}),
	}).Compile(ctx, "local_service.proto")
	if err != nil {
		return nil, fmt.Errorf("compile the ZetaSQL protos in %s: %w", dir, err)
	}
	svc := findService(files)
	if svc == nil {
		return nil, errors.New("local_service.proto has no " + service)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(filepath.Join(dir, "remote_server.so"), "127.0.0.1", fmt.Sprint(port))
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the ZetaSQL server: %w", err)
	}
	s := &Server{cmd: cmd, methods: svc}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for deadline := time.Now().Add(30 * time.Second); ; {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			s.Close()
			return nil, fmt.Errorf("the ZetaSQL server did not listen on %s: %w", addr, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if s.conn, err = grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials())); err != nil {
		s.Close()
		return nil, err
	}
	lang, err := s.Call(ctx, "GetLanguageOptions", `{"maximumFeatures": true}`)
	if err != nil {
		s.Close()
		return nil, err
	}
	// The statements BigQuery jobs send (the default is queries only).
	var opts map[string]any
	if err := json.Unmarshal(lang, &opts); err != nil {
		s.Close()
		return nil, err
	}
	opts["supportedStatementKinds"] = statementKinds
	if s.language, err = json.Marshal(opts); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// statementKinds are the kinds of statement Analyze accepts.
var statementKinds = []string{"RESOLVED_QUERY_STMT", "RESOLVED_CREATE_FUNCTION_STMT", "RESOLVED_CREATE_TABLE_STMT",
	"RESOLVED_CREATE_TABLE_AS_SELECT_STMT", "RESOLVED_CREATE_VIEW_STMT", "RESOLVED_INSERT_STMT", "RESOLVED_DELETE_STMT",
	"RESOLVED_UPDATE_STMT", "RESOLVED_MERGE_STMT", "RESOLVED_BEGIN_STMT", "RESOLVED_COMMIT_STMT", "RESOLVED_DROP_STMT",
	"RESOLVED_EXPORT_DATA_STMT", "RESOLVED_ALTER_TABLE_STMT"}

func findService(files linker.Files) protoreflect.ServiceDescriptor {
	for _, f := range files {
		if sd := f.Services().ByName("ZetaSqlLocalService"); sd != nil {
			return sd
		}
	}
	return nil
}

// Close stops the server.
func (s *Server) Close() {
	if s.conn != nil {
		s.conn.Close()
	}
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Kill()
		s.cmd.Wait()
	}
}

// Call invokes a method of the local service with a request written as
// protobuf JSON and returns the response as protobuf JSON.
func (s *Server) Call(ctx context.Context, method, request string) (json.RawMessage, error) {
	md := s.methods.Methods().ByName(protoreflect.Name(method))
	if md == nil {
		return nil, fmt.Errorf("the ZetaSQL service has no method %s", method)
	}
	req := dynamicpb.NewMessage(md.Input())
	if err := protojson.Unmarshal([]byte(request), req); err != nil {
		return nil, fmt.Errorf("%s request: %w", method, err)
	}
	resp := dynamicpb.NewMessage(md.Output())
	if err := s.conn.Invoke(ctx, "/"+service+"/"+method, req, resp); err != nil {
		if st, ok := status.FromError(err); ok {
			return nil, errors.New(st.Message())
		}
		return nil, err
	}
	return protojson.Marshal(resp)
}

// Column is a column of a catalog table; Type is protobuf JSON of a
// zetasql.TypeProto, e.g. {"typeKind": "TYPE_STRING"}.
type Column struct {
	Name string
	Type string
}

// Table is a table the analyzer may reference. PrimaryKey lists the
// indexes of its key columns: EvaluateModify names a touched row by them.
type Table struct {
	Name       string
	Columns    []Column
	PrimaryKey []int
}

// Function is a temporary function a script defined, as the analyzer
// resolved it (see DefineFunctions).
type Function struct {
	Name      []string
	Args      []string
	Signature json.RawMessage // a FunctionSignatureProto
	Body      string          // GoogleSQL expression
}

// Catalog is what a statement may reference besides GoogleSQL's builtins.
type Catalog struct {
	Tables    []Table
	Functions []Function
}

// DefineFunctions analyzes a script of CREATE [TEMP] FUNCTION statements,
// each with those before it in scope, and returns the functions for a
// Catalog. A JavaScript function can be analyzed but not run here: it
// becomes a function that fails when called with a non-NULL argument.
func (s *Server) DefineFunctions(ctx context.Context, script string, cat Catalog) ([]Function, error) {
	var out []Function
	for pos := 0; pos < len(script); {
		if strings.TrimSpace(stripComments(script[pos:])) == "" {
			break
		}
		b, err := json.Marshal(map[string]any{"parseResumeLocation": map[string]any{"input": script, "bytePosition": pos},
			"options": s.options(nil), "simpleCatalog": s.catalog(Catalog{Tables: cat.Tables, Functions: append(append([]Function{}, cat.Functions...), out...)})})
		if err != nil {
			return nil, err
		}
		res, err := s.Call(ctx, "Analyze", string(b))
		if err != nil {
			return nil, fmt.Errorf("statement at byte %d: %w", pos, err)
		}
		var r struct {
			Resolved struct {
				Create struct {
					Fn *struct {
						Parent    struct{ NamePath []string } `json:"parent"`
						Args      []string                    `json:"argumentNameList"`
						Signature json.RawMessage             `json:"signature"`
						Language  string                      `json:"language"`
						Code      string                      `json:"code"`
					} `json:"resolvedCreateFunctionStmtNode"`
				} `json:"resolvedCreateStatementNode"`
			} `json:"resolvedStatement"`
			Resume int `json:"resumeBytePosition"`
		}
		if err := json.Unmarshal(res, &r); err != nil {
			return nil, err
		}
		fn := r.Resolved.Create.Fn
		if fn == nil {
			return nil, fmt.Errorf("statement at byte %d is not CREATE FUNCTION", pos)
		}
		f := Function{Name: fn.Parent.NamePath, Args: fn.Args, Signature: fn.Signature, Body: fn.Code}
		if !strings.EqualFold(fn.Language, "SQL") {
			var sig struct {
				Return struct {
					Type struct{ TypeKind string } `json:"type"`
				} `json:"returnType"`
			}
			if err := json.Unmarshal(fn.Signature, &sig); err != nil || sig.Return.Type.TypeKind == "" {
				return nil, fmt.Errorf("function %s: no simple return type to stand in for its %s body", strings.Join(f.Name, "."), fn.Language)
			}
			f.Body = fmt.Sprintf("IF(%s IS NULL, NULL, CAST(ERROR('%s is a %s function, which ZetaSQL cannot run') AS %s))",
				fn.Args[0], strings.Join(f.Name, "."), fn.Language, strings.TrimPrefix(sig.Return.Type.TypeKind, "TYPE_"))
		}
		out = append(out, f)
		if r.Resume <= pos {
			return nil, fmt.Errorf("the analyzer did not advance past byte %d", pos)
		}
		pos = r.Resume
	}
	return out, nil
}

// stripComments drops "--" line comments (enough to see that the rest of
// a script is empty).
func stripComments(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if i := strings.Index(line, "--"); i >= 0 {
			line = line[:i]
		}
		b.WriteString(line)
	}
	return b.String()
}

// Analyze checks one GoogleSQL statement against the catalog, with its
// positional parameters (?) typed from params, every language feature on
// and GoogleSQL's builtin functions; the error is the analyzer's (unknown
// name, type mismatch, bad signature, ...).
func (s *Server) Analyze(ctx context.Context, sql string, cat Catalog, params ...any) error {
	types, err := paramTypes(params)
	if err != nil {
		return err
	}
	b, err := json.Marshal(map[string]any{"sqlStatement": sql, "options": s.options(types), "simpleCatalog": s.catalog(cat)})
	if err != nil {
		return err
	}
	_, err = s.Call(ctx, "Analyze", string(b))
	return err
}

// Evaluate runs a query with ZetaSQL's reference engine over the catalog's
// tables, whose rows are given per table name as lists of
// zetasql.ValueProto JSON cells (e.g. {"stringValue": "a"}); it returns
// the response's JSON (rows under content.tableData.row, columns under
// prepared.columns).
func (s *Server) Evaluate(ctx context.Context, sql string, cat Catalog, rows map[string][][]string) (json.RawMessage, error) {
	opts := s.options(nil)
	opts["enabledRewrites"] = rewrites
	b, err := json.Marshal(map[string]any{"sql": sql, "options": opts, "simpleCatalog": s.catalog(cat), "tableContent": tableContent(rows)})
	if err != nil {
		return nil, err
	}
	return s.Call(ctx, "EvaluateQuery", string(b))
}

// Modified is a row a DML statement touched: the operation (INSERT,
// UPDATE, DELETE), every cell of the row after it, and the row's primary
// key before it (see Table.PrimaryKey).
type Modified struct {
	Operation string            `json:"operation"`
	Cells     []json.RawMessage `json:"cell"`
	OldKey    []json.RawMessage `json:"oldPrimaryKey"`
}

// EvaluateModify runs one DML statement (INSERT, UPDATE or DELETE: the
// reference engine runs no MERGE and no DDL) with ZetaSQL's reference
// engine over the catalog's tables and rows, given as for Evaluate, and
// returns the rows it touched. The rows given are not changed: applying
// the result is the caller's.
func (s *Server) EvaluateModify(ctx context.Context, sql string, cat Catalog, rows map[string][][]string) ([]Modified, error) {
	opts := s.options(nil)
	opts["enabledRewrites"] = rewrites
	b, err := json.Marshal(map[string]any{"sql": sql, "options": opts, "simpleCatalog": s.catalog(cat), "tableContent": tableContent(rows)})
	if err != nil {
		return nil, err
	}
	res, err := s.Call(ctx, "EvaluateModify", string(b))
	if err != nil {
		return nil, err
	}
	var r struct {
		Content []Modified `json:"content"`
	}
	if err := json.Unmarshal(res, &r); err != nil {
		return nil, err
	}
	return r.Content, nil
}

// tableContent is the table_content of an evaluation request: each
// table's rows of ValueProto JSON cells.
func tableContent(rows map[string][][]string) map[string]any {
	type row struct {
		Cell []json.RawMessage `json:"cell"`
	}
	content := map[string]any{}
	for name, rs := range rows {
		data := []row{}
		for _, r := range rs {
			cells := []json.RawMessage{}
			for _, c := range r {
				cells = append(cells, json.RawMessage(c))
			}
			data = append(data, row{cells})
		}
		content[name] = map[string]any{"tableData": map[string]any{"row": data}}
	}
	return content
}

// rewrites are ZetaSQL's default resolved-AST rewrites plus the inlining
// of SQL functions, without which the reference engine cannot call them.
var rewrites = []string{"REWRITE_FLATTEN", "REWRITE_PROTO_MAP_FNS", "REWRITE_ARRAY_FILTER_TRANSFORM", "REWRITE_UNPIVOT",
	"REWRITE_PIVOT", "REWRITE_ARRAY_INCLUDES", "REWRITE_TYPEOF_FUNCTION", "REWRITE_WITH_EXPR", "REWRITE_INLINE_SQL_FUNCTIONS",
	"REWRITE_NULLIFERROR_FUNCTION", "REWRITE_LIKE_ANY_ALL", "REWRITE_BUILTIN_FUNCTION_INLINER"}

// paramTypes returns the TypeProto of each positional parameter.
func paramTypes(params []any) ([]json.RawMessage, error) {
	var out []json.RawMessage
	for i, p := range params {
		var kind string
		switch p.(type) {
		case string:
			kind = "TYPE_STRING"
		case bool:
			kind = "TYPE_BOOL"
		case int, int32, int64:
			kind = "TYPE_INT64"
		case float64:
			kind = "TYPE_DOUBLE"
		case time.Time:
			kind = "TYPE_TIMESTAMP"
		case transforms.Day:
			kind = "TYPE_DATE"
		default:
			return nil, fmt.Errorf("parameter %d: no GoogleSQL type for %T", i+1, p)
		}
		out = append(out, json.RawMessage(`{"typeKind": "`+kind+`"}`))
	}
	return out, nil
}

func (s *Server) options(params []json.RawMessage) map[string]any {
	// BigQuery's default time zone (ZetaSQL's is America/Los_Angeles), for
	// CAST(timestamp AS DATE) and the like.
	o := map[string]any{"languageOptions": s.language, "errorMessageMode": "ERROR_MESSAGE_ONE_LINE", "defaultTimezone": "UTC"}
	if len(params) > 0 {
		o["parameterMode"] = "PARAMETER_POSITIONAL"
		o["positionalQueryParameters"] = params
	}
	return o
}

func (s *Server) catalog(cat Catalog) map[string]any {
	root := tableCatalog("optout", cat.Tables)
	root["customFunction"] = []any{}
	for _, f := range cat.Functions {
		// A templated SQL function: the body is resolved at each call, as
		// BigQuery does for a temporary function with ANY TYPE arguments.
		fn := map[string]any{
			"namePath": f.Name, "group": "Templated_SQL_Function", "mode": "SCALAR",
			"signature": []json.RawMessage{f.Signature}, "templatedSqlFunctionArgumentName": f.Args,
			"parseResumeLocation": map[string]any{"input": f.Body, "bytePosition": 0},
		}
		// A dataset's function (dataset.name) goes into the dataset's
		// catalog, where a call of dataset.name looks.
		in := root
		if len(f.Name) == 2 {
			in = subCatalog(root, f.Name[0])
		}
		in["customFunction"] = append(in["customFunction"].([]any), fn)
	}
	root["builtinFunctionOptions"] = map[string]any{"languageOptions": s.language}
	return root
}

// subCatalog is the catalog named name inside catalog c, made if missing.
func subCatalog(c map[string]any, name string) map[string]any {
	subs := c["catalog"].([]any)
	for _, sub := range subs {
		if m := sub.(map[string]any); m["name"] == name {
			if m["customFunction"] == nil {
				m["customFunction"] = []any{}
			}
			return m
		}
	}
	m := map[string]any{"name": name, "table": []any{}, "catalog": []any{}, "customFunction": []any{}}
	c["catalog"] = append(subs, m)
	return m
}

// tableCatalog is a SimpleCatalogProto of tables. A dotted table name
// (dataset.table, project.dataset.table) goes into nested catalogs, one
// per part, so that a statement's multi-part path finds it as BigQuery
// would.
func tableCatalog(name string, tables []Table) map[string]any {
	type col struct {
		Name string          `json:"name"`
		Type json.RawMessage `json:"type"`
	}
	type tbl struct {
		Name       string `json:"name"`
		Column     []col  `json:"column"`
		PrimaryKey []int  `json:"primaryKeyColumnIndex,omitempty"`
	}
	ts := []tbl{}
	nested := map[string][]Table{}
	var order []string
	for _, t := range tables {
		if first, rest, ok := strings.Cut(t.Name, "."); ok {
			if _, seen := nested[first]; !seen {
				order = append(order, first)
			}
			nested[first] = append(nested[first], Table{Name: rest, Columns: t.Columns, PrimaryKey: t.PrimaryKey})
			continue
		}
		tt := tbl{Name: t.Name, PrimaryKey: t.PrimaryKey}
		for _, c := range t.Columns {
			tt.Column = append(tt.Column, col{c.Name, json.RawMessage(c.Type)})
		}
		ts = append(ts, tt)
	}
	subs := []any{}
	for _, first := range order {
		subs = append(subs, tableCatalog(first, nested[first]))
	}
	return map[string]any{"name": name, "table": ts, "catalog": subs}
}
