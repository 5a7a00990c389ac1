package engine

import (
	"fmt"

	"github.com/optout-dev/optout/internal/exit"
	"github.com/optout-dev/optout/schemas"
	"github.com/optout-dev/optout/transforms"
)

// CheckFlagColumns refuses a write-back onto a customers table that has a
// flag column of another type than the one write-back writes (types: by
// column, as the engine's DescribeTable spells them). Such a column is
// never converted: the user drops or renames it (exit 3).
func CheckFlagColumns(table string, fields []schemas.Field, types map[string]string) error {
	for _, name := range transforms.CustomerFlagColumns {
		if f, ok := schemas.Find(fields, name); ok && f.Type != types[name] {
			return exit.With(exit.Input, fmt.Errorf("input customers: table %s: column %s has type %s; write_back writes %s: drop or rename the column", table, f.Name, f.Type, types[name]))
		}
	}
	return nil
}
