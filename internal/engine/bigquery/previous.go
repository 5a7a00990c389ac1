package bigquery

import (
	"context"
	"fmt"
	"time"

	"cloud.google.com/go/civil"

	"github.com/optout-dev/optout/transforms"
)

// ManifestTable lists the exports each run published (sql/export_manifest.sql).
const ManifestTable = "export_manifest"

// LatestBefore returns the greatest dt before `before` of a per-date
// output table, or "" when it has none or does not exist.
func (e *Engine) LatestBefore(ctx context.Context, table, before string) (string, error) {
	if ok, err := e.OutputExists(ctx, table); !ok || err != nil {
		return "", err
	}
	res, err := e.Query(ctx, "previous_"+table, fmt.Sprintf("SELECT MAX(dt) AS dt FROM %s WHERE dt < DATE %s", e.Output(table), transforms.BigQuery.Literal(before)))
	if err != nil {
		return "", err
	}
	if d, ok := res.Rows[0]["dt"].(civil.Date); ok {
		return d.String(), nil
	}
	return "", nil
}

// CopyOutput copies an output table into the scratch dataset as name:
// its partition dt when dt is set, else all of it. It reports false,
// copying nothing, when the table does not exist.
func (e *Engine) CopyOutput(ctx context.Context, name, table, dt string) (bool, error) {
	if ok, err := e.OutputExists(ctx, table); !ok || err != nil {
		return false, err
	}
	sql := "SELECT * FROM " + e.Output(table)
	if dt != "" {
		sql += " WHERE dt = DATE " + transforms.BigQuery.Literal(dt)
	}
	err := e.createAs(ctx, "copy_"+table, name, sql)
	return err == nil, err
}

// ExportHistory returns the partitions of export's output table, up to
// dt, that export_manifest lists as published, each named as its folder on
// DuckDB ("exports/<export>/dt=<date>") with its publish time; none when
// either table does not exist.
func (e *Engine) ExportHistory(ctx context.Context, export, dt string) ([]transforms.Published, error) {
	for _, t := range []string{"exports__" + export, ManifestTable} {
		if ok, err := e.OutputExists(ctx, t); !ok || err != nil {
			return nil, err
		}
	}
	res, err := e.Query(ctx, "history_"+export, e.publishedSQL(dt)+" ORDER BY dt", export)
	if err != nil {
		return nil, err
	}
	var out []transforms.Published
	for _, r := range res.Rows {
		d, _ := r["dt"].(civil.Date)
		p := transforms.Published{File: historyLabel(export) + d.String()}
		if at, ok := r["published_at"].(time.Time); ok {
			p.At = at.UTC().Format(time.RFC3339Nano)
		}
		out = append(out, p)
	}
	return out, nil
}

// CopyExportHistory copies into the scratch dataset as name the published
// partitions (ExportHistory) of export's output table dated from from to
// dt, each row with _file naming its partition. A from after dt copies no
// row; the table still has the columns the notifications read. Copying
// only the days the run's new opt-outs span, not every export kept, is
// what bounds a run's bytes.
func (e *Engine) CopyExportHistory(ctx context.Context, name, export, from, dt string) error {
	return e.createAs(ctx, "copy_history_"+export, name, fmt.Sprintf(`SELECT * EXCEPT (dt), CONCAT(CAST(? AS STRING), CAST(dt AS STRING)) AS _file
FROM %s
WHERE dt >= DATE %s AND dt IN (SELECT dt FROM (%s))`, e.Output("exports__"+export), transforms.BigQuery.Literal(from), e.publishedSQL(dt)), historyLabel(export), export)
}

// publishedSQL selects the dt and published_at of the export (its one
// parameter) that export_manifest lists up to dt.
func (e *Engine) publishedSQL(dt string) string {
	return fmt.Sprintf("SELECT dt, published_at FROM %s WHERE export = CAST(? AS STRING) AND dt <= DATE %s",
		e.Output(ManifestTable), transforms.BigQuery.Literal(dt))
}

func historyLabel(export string) string { return "exports/" + export + "/dt=" }
