package bigquery

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"cloud.google.com/go/bigquery"
	"google.golang.org/api/googleapi"
)

// EnsureDateTable creates table in the run's dataset, unless it exists,
// with schema plus a DATE column dt it is partitioned by (one partition a
// run replaces per date) and clustered by cluster. Partitioned tables are
// created through the API, not DDL: the same call on BigQuery and on the
// emulator, which rejects PARTITION BY in DDL.
func (c *Client) EnsureDateTable(ctx context.Context, table string, schema bigquery.Schema, cluster []string) error {
	t := c.bq.Dataset(c.cfg.Dataset).Table(table)
	meta := &bigquery.TableMetadata{
		Schema:           append(bigquery.Schema{{Name: "dt", Type: bigquery.DateFieldType, Required: true}}, schema...),
		TimePartitioning: &bigquery.TimePartitioning{Type: bigquery.DayPartitioningType, Field: "dt"},
	}
	if len(cluster) > 0 {
		meta.Clustering = &bigquery.Clustering{Fields: cluster}
	}
	err := t.Create(ctx, meta)
	var ge *googleapi.Error
	if errors.As(err, &ge) && ge.Code == http.StatusConflict {
		return nil // it exists: its partitions are replaced, not the table
	}
	if err != nil {
		return mapError("create_"+table, "", fmt.Errorf("create table %s.%s: %w", c.cfg.Dataset, table, err), c.cfg.MaxBytesBilled)
	}
	return nil
}
