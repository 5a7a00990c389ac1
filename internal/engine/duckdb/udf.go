package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/optout-dev/optout/transforms"
)

// gppFunc is optout_gpp(VARCHAR) → VARCHAR: transforms.DecodeGPP as a
// DuckDB scalar function (NULL in, NULL out). GPP's Fibonacci-coded header
// does not fit a SQL expression; the Go decoder is the one definition, and
// the BigQuery engine's UDF is held to the same test vectors.
type gppFunc struct{}

func (gppFunc) Config() duckdb.ScalarFuncConfig {
	text, _ := duckdb.NewTypeInfo(duckdb.TYPE_VARCHAR)
	return duckdb.ScalarFuncConfig{InputTypeInfos: []duckdb.TypeInfo{text}, ResultTypeInfo: text}
}

func (gppFunc) Executor() duckdb.ScalarFuncExecutor {
	return duckdb.ScalarFuncExecutor{RowExecutor: func(values []driver.Value) (any, error) {
		s, ok := values[0].(string)
		if !ok {
			return nil, fmt.Errorf("optout_gpp: want text, got %T", values[0])
		}
		return transforms.DecodeGPP(s), nil
	}}
}

func registerFunctions(_ context.Context, conn *sql.Conn) error {
	if err := duckdb.RegisterScalarUDF(conn, "optout_gpp", gppFunc{}); err != nil {
		return fmt.Errorf("register optout_gpp: %w", err)
	}
	return nil
}
