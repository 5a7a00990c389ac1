package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/optout-dev/optout/transforms"
)

// textFunc is a DuckDB scalar function VARCHAR → VARCHAR computed by Go:
// NULL in gives NULL out, and so does fn's ok false.
type textFunc struct {
	name string
	fn   func(string) (string, bool)
}

// goFunctions are the functions DuckDB runs in Go, with the Go reference
// (transforms/normalize.go, transforms/gpp.go) as their one definition; the
// BigQuery engine defines the same names in SQL (sql/macros.bigquery.sql)
// and is held to the same test values (internal/testkit/normtest).
//
//   - optout_gpp: GPP's Fibonacci-coded header does not fit an SQL
//     expression.
//   - the email and phone keys: as SQL macros they were most of the cost
//     of normalizing a row; in Go they cost a half (email) to a third
//     (phone) as much (1.5M values: 0.67 → 0.31 s and 0.48 → 0.18 s), the
//     call from DuckDB included.
var goFunctions = []textFunc{
	{"optout_gpp", func(s string) (string, bool) { return transforms.DecodeGPP(s), true }},
	{"optout_email", func(s string) (string, bool) {
		_, key, ok := transforms.EmailKey(s)
		return key, ok
	}},
	// The email_sha256 of the unfolded address (of one that yields a key).
	{"optout_email_sha", func(s string) (string, bool) {
		clean, _, ok := transforms.EmailKey(s)
		if !ok {
			return "", false
		}
		return transforms.SHA256Hex(clean), true
	}},
	// The email_sha256 of the folded address, when folding changed it.
	{"optout_email_folded_sha", func(s string) (string, bool) {
		clean, key, ok := transforms.EmailKey(s)
		if !ok || key == clean {
			return "", false
		}
		return transforms.SHA256Hex(key), true
	}},
	{"optout_phone", func(s string) (string, bool) {
		p := transforms.PhoneE164(s)
		return p, p != ""
	}},
}

func (f textFunc) Config() duckdb.ScalarFuncConfig {
	text, _ := duckdb.NewTypeInfo(duckdb.TYPE_VARCHAR)
	return duckdb.ScalarFuncConfig{InputTypeInfos: []duckdb.TypeInfo{text}, ResultTypeInfo: text}
}

func (f textFunc) Executor() duckdb.ScalarFuncExecutor {
	return duckdb.ScalarFuncExecutor{RowExecutor: func(values []driver.Value) (any, error) {
		s, ok := values[0].(string)
		if !ok {
			return nil, fmt.Errorf("%s: want text, got %T", f.name, values[0])
		}
		if out, ok := f.fn(s); ok {
			return out, nil
		}
		return nil, nil
	}}
}

func registerFunctions(_ context.Context, conn *sql.Conn) error {
	for _, f := range goFunctions {
		if err := duckdb.RegisterScalarUDF(conn, f.name, f); err != nil {
			return fmt.Errorf("register %s: %w", f.name, err)
		}
	}
	return nil
}
