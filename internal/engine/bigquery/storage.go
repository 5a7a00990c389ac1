package bigquery

import (
	"context"
	"fmt"
	"strings"

	"github.com/optout-dev/optout/transforms"
)

// ExportDataSQL is the statement writing the rows of from (an export's
// staged, leak-checked rows) to Cloud Storage at uri, whose one * BigQuery
// numbers the files by; format is the export's, parquet or csv. The URI is
// a literal because EXPORT DATA's options take no query parameters; the
// config allows it only a plain character set (config.validateExports).
func ExportDataSQL(uri, format, from string) string {
	opts := []string{"uri = " + transforms.BigQuery.Literal(uri), "format = " + transforms.BigQuery.Literal(strings.ToUpper(format)), "overwrite = true"}
	if format == "csv" {
		opts = append(opts, "header = true")
	}
	return fmt.Sprintf("EXPORT DATA OPTIONS (%s) AS\nSELECT * FROM %s", strings.Join(opts, ", "), from)
}

// ExportData writes the scratch table's rows to Cloud Storage (export's
// gcs_uri). A dry engine only estimates it.
func (e *Engine) ExportData(ctx context.Context, export, uri, format, scratch string) error {
	sql := ExportDataSQL(uri, format, e.relation(scratch))
	if e.Dry {
		_, err := e.dryRun(ctx, "gcs__"+export, sql)
		return err
	}
	if _, err := e.Exec(ctx, "gcs__"+export, sql); err != nil {
		return fmt.Errorf("export %s to %s: %w", export, uri, err)
	}
	return nil
}
