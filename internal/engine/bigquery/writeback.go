package bigquery

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/optout-dev/optout/internal/engine"
	"github.com/optout-dev/optout/internal/exit"
	"github.com/optout-dev/optout/schemas"
	"github.com/optout-dev/optout/transforms"
)

// flagTypes are the types write-back gives the flag columns (SPEC §5 rule
// 3: the Dialect's bool, timestamp and text[]), as DescribeTable spells them.
var flagTypes = map[string]string{"ccpa_opt_out": "BOOL", "opt_out_date": "TIMESTAMP", "opt_out_categories": "ARRAY<STRING>"}

// WriteBack puts D's flags, as published in the output table
// customers_flagged, onto the customers table (project.dataset.table, or
// dataset.table in the configured project), matched on its column
// customer_id, and returns the number of rows it changed. Run it after the
// publish.
//
// A flag column the table has with another type is exit 3, before
// anything is sent. Then one ALTER TABLE adds the missing flag columns and
// one UPDATE writes D's flags onto the rows whose flags differ from them,
// so a rerun of D changes 0 rows. The UPDATE is atomic by itself: a kill
// before it commits leaves every row's flags as they were (the columns may
// already have been added, empty), and the next run of D writes them. DDL
// cannot join a BigQuery transaction, so the two are separate jobs.
func (e *Engine) WriteBack(ctx context.Context, table, dt string) (int64, error) {
	return e.writeBack(ctx, table, "customer_id", dt)
}

// FlagTypes are the types write-back gives the flag columns.
func (e *Engine) FlagTypes() map[string]string { return flagTypes }

// WriteBackSteps are the statements WriteBack would send, for a plan.
func (e *Engine) WriteBackSteps(ctx context.Context, table, dt string) ([]transforms.Step, error) {
	return e.writeBackSteps(ctx, table, "customer_id", dt)
}

// writeBackSteps renders the write-back matched on column idColumn,
// after checking the table's flag columns.
func (e *Engine) writeBackSteps(ctx context.Context, table, idColumn, dt string) ([]transforms.Step, error) {
	fields, err := e.DescribeTable(ctx, table)
	if err != nil {
		return nil, err
	}
	if err := engine.CheckFlagColumns(table, fields, flagTypes); err != nil {
		return nil, err
	}
	id, ok := schemas.Find(fields, idColumn)
	if !ok {
		return nil, exit.With(exit.Input, fmt.Errorf("input customers: table %s: column %s: required column is missing", table, idColumn))
	}
	day, err := time.Parse(time.DateOnly, dt)
	if err != nil {
		return nil, fmt.Errorf("write-back: date %q: %w", dt, err)
	}
	return transforms.WriteBackSteps(transforms.BigQuery, transforms.WriteBack{
		Table:        transforms.BigQuery.QualifiedName(table),
		IDColumn:     transforms.BigQuery.Ident(id.Name),
		FlaggedTable: e.Output("customers_flagged"),
		Date:         day,
	})
}

// writeBack is WriteBack matched on column idColumn.
func (e *Engine) writeBack(ctx context.Context, table, idColumn, dt string) (int64, error) {
	if e.Dry {
		// A plan writes nothing outside its scratch dataset.
		return 0, errors.New("write-back: not on a dry (plan) engine")
	}
	steps, err := e.writeBackSteps(ctx, table, idColumn, dt)
	if err != nil {
		return 0, err
	}
	var changed int64
	for _, s := range steps {
		s, err := transforms.Inlined(s)
		if err != nil {
			return 0, err
		}
		res, err := e.Exec(ctx, s.Name, s.SQL, s.Args...)
		if err != nil {
			return 0, fmt.Errorf("write-back to table %s: %w", table, err)
		}
		changed = res.DMLAffectedRows // the update's, the last step
	}
	return changed, nil
}
