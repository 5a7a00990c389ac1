package bigquery

import (
	"context"
	"fmt"
	"strings"

	"cloud.google.com/go/bigquery"

	"github.com/optout-dev/optout/transforms"
)

// Staged is one output a run computed into its scratch dataset.
type Staged struct {
	Scratch string // the scratch table holding the rows
	Table   string // the output table they go to
	// PerDate: they replace the dt = D partition; otherwise the whole table.
	PerDate bool
	Cluster []string
	// OwnDate names the column a per-date output's own dt column is
	// published as: dt is the table's partition column (the run's date).
	OwnDate string
}

// Publish makes the staged outputs the outputs, in one transaction: for
// each in order, D's partition (or the whole table) is deleted and the
// staged rows inserted. Readers see all of a run's outputs or none, and
// the last one (export_manifest) says which exports passed their leak
// check. An output's own dt column, if it has one, is published under
// the name its Staged.OwnDate gives (dt is the partition column). Missing
// output tables are created first, with the staged columns.
func (e *Engine) Publish(ctx context.Context, dt string, staged []Staged) error {
	date := "DATE " + transforms.BigQuery.Literal(dt)
	stmts := []string{"BEGIN TRANSACTION;"}
	for _, s := range staged {
		schema, err := e.TableSchema(ctx, s.Scratch)
		if err != nil {
			return err
		}
		var cols bigquery.Schema
		var names, values []string // target columns, and what fills them
		for _, f := range schema {
			col := f
			if s.PerDate && f.Name == "dt" {
				if s.OwnDate == "" {
					return fmt.Errorf("publish %s: the output has its own dt column, which would collide with the partition column; name it with Staged.OwnDate", s.Table)
				}
				c := *f
				c.Name = s.OwnDate
				col = &c
			}
			cols = append(cols, col)
			names = append(names, transforms.BigQuery.Ident(col.Name))
			values = append(values, transforms.BigQuery.Ident(f.Name))
		}
		if s.PerDate {
			// A table an earlier version or config created takes the new
			// columns (export_manifest's published_as, an export's renamed
			// column); its other partitions read NULL there.
			if err = e.EnsureDateTable(ctx, s.Table, cols, s.Cluster); err == nil {
				err = e.addColumns(ctx, s.Table, cols)
			}
		} else {
			err = e.ensureLike(ctx, s.Table, s.Scratch, s.Cluster)
		}
		if err != nil {
			return err
		}
		target, from := e.Output(s.Table), e.relation(s.Scratch)
		list, selected := strings.Join(names, ", "), strings.Join(values, ", ")
		if s.PerDate {
			stmts = append(stmts,
				fmt.Sprintf("DELETE FROM %s WHERE dt = %s;", target, date),
				fmt.Sprintf("INSERT INTO %s (dt, %s)\nSELECT %s, %s FROM %s;", target, list, date, selected, from))
		} else {
			stmts = append(stmts,
				fmt.Sprintf("DELETE FROM %s WHERE TRUE;", target),
				fmt.Sprintf("INSERT INTO %s (%s)\nSELECT %s FROM %s;", target, list, selected, from))
		}
	}
	stmts = append(stmts, "COMMIT TRANSACTION;")
	_, err := e.Exec(ctx, "publish", strings.Join(stmts, "\n"))
	return err
}

// Append adds a staged table's rows to an unpartitioned output table
// (created with the staged columns when missing).
func (e *Engine) Append(ctx context.Context, scratch, table string) error {
	schema, err := e.TableSchema(ctx, scratch)
	if err != nil {
		return err
	}
	if err := e.ensureLike(ctx, table, scratch, nil); err != nil {
		return err
	}
	if err := e.addColumns(ctx, table, schema); err != nil {
		return err
	}
	names := make([]string, len(schema))
	for i, f := range schema {
		names[i] = transforms.BigQuery.Ident(f.Name)
	}
	list := strings.Join(names, ", ")
	_, err = e.Exec(ctx, "append_"+table, fmt.Sprintf("INSERT INTO %s (%s)\nSELECT %s FROM %s", e.Output(table), list, list, e.relation(scratch)))
	return err
}

// DeleteBefore removes a per-date output's partitions older than cutoff
// (a date), returning how many dates went.
func (e *Engine) DeleteBefore(ctx context.Context, table, cutoff string) (int64, error) {
	where := fmt.Sprintf("FROM %s WHERE dt < DATE %s", e.Output(table), transforms.BigQuery.Literal(cutoff))
	res, err := e.Query(ctx, "retention_"+table, "SELECT COUNT(DISTINCT dt) AS n "+where)
	if err != nil {
		return 0, err
	}
	n, _ := res.Rows[0]["n"].(int64)
	if n == 0 {
		return 0, nil
	}
	_, err = e.Exec(ctx, "retention_"+table, "DELETE "+where)
	return n, err
}

// ensureLike creates an unpartitioned output table with a staged table's
// columns unless it exists, then sets its clustering. It is DDL, not the
// API: the emulator cannot create through the API a table whose record
// fields are reserved words (the runs row's outputs.table and .rows), nor
// run CTAS with CLUSTER BY.
func (e *Engine) ensureLike(ctx context.Context, table, scratch string, cluster []string) error {
	if ok, err := e.OutputExists(ctx, table); ok || err != nil {
		return err
	}
	if _, err := e.Exec(ctx, "create_"+table, fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s AS SELECT * FROM %s WHERE FALSE", e.Output(table), e.relation(scratch))); err != nil {
		return err
	}
	if len(cluster) == 0 {
		return nil
	}
	_, err := e.bq.Dataset(e.cfg.Dataset).Table(table).Update(ctx, bigquery.TableMetadataToUpdate{Clustering: &bigquery.Clustering{Fields: cluster}}, "")
	if err != nil {
		return mapError("create_"+table, "", fmt.Errorf("cluster table %s by %v: %w", table, cluster, err), e.cfg.MaxBytesBilled)
	}
	return nil
}

// addColumns adds to an output table the columns of schema it lacks, as
// NULLable columns, in one statement: a runs table an earlier version
// created (before provisional, statements) takes this version's rows, and
// its own rows read NULL there. A column it has with another type is left
// for the INSERT to refuse.
func (e *Engine) addColumns(ctx context.Context, table string, schema bigquery.Schema) error {
	meta, err := e.bq.Dataset(e.cfg.Dataset).Table(table).Metadata(ctx)
	if err != nil {
		return mapError("describe_"+table, "", err, e.cfg.MaxBytesBilled)
	}
	has := map[string]bool{}
	for _, f := range meta.Schema {
		has[strings.ToLower(f.Name)] = true // BigQuery's names ignore case
	}
	var add []string
	for _, f := range schema {
		if !has[strings.ToLower(f.Name)] {
			add = append(add, "ADD COLUMN IF NOT EXISTS "+transforms.BigQuery.Ident(f.Name)+" "+columnType(f))
		}
	}
	if len(add) == 0 {
		return nil
	}
	_, err = e.Exec(ctx, "add_columns_"+table, "ALTER TABLE "+e.Output(table)+"\n  "+strings.Join(add, ",\n  "))
	return err
}

// columnType is a column's type as DDL writes it: typeName's, with the
// fields of a STRUCT quoted (the runs row's outputs has "table" and
// "rows", reserved words).
func columnType(f *bigquery.FieldSchema) string {
	if f.Type != bigquery.RecordFieldType {
		return typeName(f)
	}
	parts := make([]string, len(f.Schema))
	for i, sub := range f.Schema {
		parts[i] = transforms.BigQuery.Ident(sub.Name) + " " + columnType(sub)
	}
	t := "STRUCT<" + strings.Join(parts, ", ") + ">"
	if f.Repeated {
		return "ARRAY<" + t + ">"
	}
	return t
}
