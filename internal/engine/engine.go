// Package engine defines the small interface the jobs drive an SQL engine
// through; the adapters live in its subpackages.
package engine

import (
	"context"
	"path/filepath"
	"strings"

	"github.com/optout-dev/optout/schemas"
	"github.com/optout-dev/optout/transforms"
)

// IsArrow reports whether a file name is Arrow IPC (.arrow, .feather, .ipc).
func IsArrow(file string) bool {
	switch strings.ToLower(filepath.Ext(file)) {
	case ".arrow", ".feather", ".ipc":
		return true
	}
	return false
}

// InvalidUTF8Error is an input file holding a text value that is not UTF-8.
// The engine's own message quotes the value, so only the file is kept; the
// jobs name the input, column and row (SPEC §7: never a value).
type InvalidUTF8Error struct{ File string }

func (e *InvalidUTF8Error) Error() string {
	return "file " + e.File + ": a value is not valid UTF-8"
}

// Row is one row of a Check step's result, by column name.
type Row map[string]any

// Engine executes rendered steps.
type Engine interface {
	// Describe returns the columns of one input file.
	Describe(ctx context.Context, file string) ([]schemas.Field, error)
	// Register makes files queryable as the relation name, with the
	// columns _file (path) and _row (row number within the file) added.
	Register(ctx context.Context, name string, files []string) error
	// DescribeTable returns the columns of a warehouse table.
	DescribeTable(ctx context.Context, table string) ([]schemas.Field, error)
	// RegisterTable makes a warehouse table queryable as the relation name,
	// with _file ("table:" and its name) and _row (a stable row id) added.
	RegisterTable(ctx context.Context, name, table string) error
	// Run executes a step: Setup and Temp steps run, Output steps write
	// their rows to step.Target, Check steps return their rows. It returns
	// the rows written (Temp, Output) and the rows of a Check.
	Run(ctx context.Context, step transforms.Step) (int64, []Row, error)
	Close() error
}
