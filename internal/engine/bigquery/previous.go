package bigquery

import (
	"context"
	"fmt"
	"net/http"
	"strings"
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

// PublishedPartition is one export partition export_manifest lists.
type PublishedPartition struct {
	Export, Date string
	transforms.Published
	// As is how the partition was written (export_manifest.published_as,
	// JSON), "" for a row an older version wrote.
	As string
}

// ExportHistory returns, of every export, the partitions of every date
// that export_manifest lists as published, each named as its folder on DuckDB
// ("exports/<export>/dt=<date>") with its publish time and how it was
// written: an export no longer configured still has its history. None of
// an export whose table does not exist, nor any when the manifest does not.
func (e *Engine) ExportHistory(ctx context.Context) ([]PublishedPartition, error) {
	meta, err := e.bq.Dataset(e.cfg.Dataset).Table(ManifestTable).Metadata(ctx)
	if isStatus(err, http.StatusNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, mapError("describe_"+ManifestTable, "", err, e.cfg.MaxBytesBilled)
	}
	as := "CAST(NULL AS STRING)" // a manifest an older version created
	for _, f := range meta.Schema {
		if strings.EqualFold(f.Name, "published_as") {
			as = "published_as"
		}
	}
	res, err := e.Query(ctx, "export_history", fmt.Sprintf("SELECT export, dt, published_at, %s AS published_as FROM %s ORDER BY export, dt",
		as, e.Output(ManifestTable)))
	if err != nil {
		return nil, err
	}
	var out []PublishedPartition
	exists := map[string]bool{}
	for _, r := range res.Rows {
		export, _ := r["export"].(string)
		if _, known := exists[export]; !known {
			if exists[export], err = e.OutputExists(ctx, "exports__"+export); err != nil {
				return nil, err
			}
		}
		if !exists[export] {
			continue
		}
		d, _ := r["dt"].(civil.Date)
		p := PublishedPartition{Export: export, Date: d.String(), Published: transforms.Published{File: historyLabel(export) + d.String()}}
		if at, ok := r["published_at"].(time.Time); ok {
			p.At = at.UTC().Format(time.RFC3339Nano)
		}
		p.As, _ = r["published_as"].(string)
		out = append(out, p)
	}
	return out, nil
}

// CopyExportHistory copies into the scratch dataset as name the partitions
// of export's output table dated dates (published ones, ExportHistory),
// each row with _file naming its partition. No dates copies no row; the
// table still has the columns the notifications read. Copying only the
// days the run's new opt-outs span, not every export kept, is what bounds
// a run's bytes.
func (e *Engine) CopyExportHistory(ctx context.Context, name, export string, dates []string) error {
	in := "FALSE"
	if len(dates) > 0 {
		lits := make([]string, len(dates))
		for i, d := range dates {
			lits[i] = "DATE " + transforms.BigQuery.Literal(d)
		}
		in = "dt IN (" + strings.Join(lits, ", ") + ")"
	}
	return e.createAs(ctx, "copy_history_"+export, name, fmt.Sprintf(`SELECT * EXCEPT (dt), CONCAT(CAST(? AS STRING), CAST(dt AS STRING)) AS _file
FROM %s
WHERE %s`, e.Output("exports__"+export), in), historyLabel(export))
}

func historyLabel(export string) string { return "exports/" + export + "/dt=" }
