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
	"time"

	"github.com/bufbuild/protocompile"
	"github.com/bufbuild/protocompile/linker"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"
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
	"RESOLVED_EXPORT_DATA_STMT"}

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

// Table is a table the analyzer may reference.
type Table struct {
	Name    string
	Columns []Column
}

// Analyze checks one GoogleSQL statement against the tables, with every
// language feature on and GoogleSQL's builtin functions; the error is the
// analyzer's (unknown name, type mismatch, bad signature, ...).
func (s *Server) Analyze(ctx context.Context, sql string, tables []Table) error {
	b, err := json.Marshal(map[string]any{"sqlStatement": sql, "options": s.options(), "simpleCatalog": s.catalog(tables)})
	if err != nil {
		return err
	}
	_, err = s.Call(ctx, "Analyze", string(b))
	return err
}

// Evaluate runs a query with ZetaSQL's reference engine over the tables,
// whose rows are given per table name as lists of zetasql.ValueProto JSON
// cells (e.g. {"stringValue": "a"}); it returns the response's JSON (a
// "value" holding an array of row structs, and its "type").
func (s *Server) Evaluate(ctx context.Context, sql string, tables []Table, rows map[string][][]string) (json.RawMessage, error) {
	type row struct {
		Cell []json.RawMessage `json:"cell"`
	}
	content := map[string]any{}
	for name, rs := range rows {
		var data []row
		for _, r := range rs {
			var cells []json.RawMessage
			for _, c := range r {
				cells = append(cells, json.RawMessage(c))
			}
			data = append(data, row{cells})
		}
		content[name] = map[string]any{"tableData": map[string]any{"row": data}}
	}
	b, err := json.Marshal(map[string]any{"sql": sql, "options": s.options(), "simpleCatalog": s.catalog(tables), "tableContent": content})
	if err != nil {
		return nil, err
	}
	return s.Call(ctx, "EvaluateQuery", string(b))
}

func (s *Server) options() map[string]any {
	return map[string]any{"languageOptions": s.language, "errorMessageMode": "ERROR_MESSAGE_ONE_LINE"}
}

func (s *Server) catalog(tables []Table) map[string]any {
	type col struct {
		Name string          `json:"name"`
		Type json.RawMessage `json:"type"`
	}
	type tbl struct {
		Name   string `json:"name"`
		Column []col  `json:"column"`
	}
	ts := []tbl{}
	for _, t := range tables {
		tt := tbl{Name: t.Name}
		for _, c := range t.Columns {
			tt.Column = append(tt.Column, col{c.Name, json.RawMessage(c.Type)})
		}
		ts = append(ts, tt)
	}
	return map[string]any{"name": "optout", "table": ts, "builtinFunctionOptions": map[string]any{"languageOptions": s.language}}
}
