//go:build !no_duckdb

package gen

import _ "github.com/duckdb/duckdb-go/v2" // the "duckdb" driver: the data is generated inside DuckDB
