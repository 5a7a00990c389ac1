//go:build !duckdb_arrow

package duckdb

import (
	"context"
	"errors"
)

// ArrowSupported reports whether this build reads Arrow IPC inputs.
const ArrowSupported = false

// errNoArrow is what a build without DuckDB's Arrow interface says.
var errNoArrow = errors.New("this build of optout has no Arrow IPC support: build or run it with -tags duckdb_arrow, as the README's commands do")

func (e *Engine) copyArrow(context.Context, string, string) error { return errNoArrow }
