package bigquery

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"cloud.google.com/go/bigquery"
	"google.golang.org/api/googleapi"

	"github.com/optout-dev/optout/internal/exit"
	"github.com/optout-dev/optout/transforms"
)

// EnsureDateTable creates table in the run's dataset, unless it exists,
// with schema plus a DATE column dt it is partitioned by (one partition a
// run replaces per date) and clustered by cluster. Partitioned tables are
// created through the API, not DDL: the same call on BigQuery and on the
// emulator, which rejects PARTITION BY in DDL.
func (c *Client) EnsureDateTable(ctx context.Context, table string, schema bigquery.Schema, cluster []string) error {
	return c.ensureTable(ctx, table, append(bigquery.Schema{{Name: "dt", Type: bigquery.DateFieldType, Required: true}}, schema...), true, cluster)
}

func (c *Client) ensureTable(ctx context.Context, table string, schema bigquery.Schema, byDate bool, cluster []string) error {
	meta := &bigquery.TableMetadata{Schema: standardTypes(schema)}
	if byDate {
		meta.TimePartitioning = &bigquery.TimePartitioning{Type: bigquery.DayPartitioningType, Field: "dt"}
	}
	if len(cluster) > 0 {
		meta.Clustering = &bigquery.Clustering{Fields: cluster}
	}
	err := c.bq.Dataset(c.cfg.Dataset).Table(table).Create(ctx, meta)
	if isStatus(err, http.StatusConflict) {
		return nil // it exists: its partitions are replaced, not the table
	}
	if err != nil {
		return mapError("create_"+table, "", fmt.Errorf("create table %s.%s: %w", c.cfg.Dataset, table, err), c.cfg.MaxBytesBilled)
	}
	return nil
}

// standardTypes names FLOAT columns FLOAT64, GoogleSQL's name, which the
// API takes as the same type. The emulator takes the API's FLOAT for
// ZetaSQL's 32-bit FLOAT and then refuses to insert FLOAT64 values into it.
func standardTypes(schema bigquery.Schema) bigquery.Schema {
	out := make(bigquery.Schema, len(schema))
	for i, f := range schema {
		g := *f
		if g.Type == bigquery.FloatFieldType {
			g.Type = "FLOAT64"
		}
		g.Schema = standardTypes(f.Schema)
		out[i] = &g
	}
	return out
}

func isStatus(err error, code int) bool {
	var ge *googleapi.Error
	return errors.As(err, &ge) && ge.Code == code
}

// OutputExists reports whether the output dataset has table.
func (c *Client) OutputExists(ctx context.Context, table string) (bool, error) {
	_, err := c.bq.Dataset(c.cfg.Dataset).Table(table).Metadata(ctx)
	if isStatus(err, http.StatusNotFound) {
		return false, nil
	}
	if err != nil {
		return false, mapError("describe_"+table, "", err, c.cfg.MaxBytesBilled)
	}
	return true, nil
}

// Output names an output table of the dataset, qualified and quoted.
func (c *Client) Output(table string) string {
	return transforms.BigQuery.QualifiedName(c.cfg.Project + "." + c.cfg.Dataset + "." + table)
}

// lockTable is the one-writer lock of an output dataset: creating a table
// is atomic, so only one run can hold it. It expires on its own after
// LockTTL, so a killed run does not hold the dataset for ever.
const lockTable = "_optout_lock"

// LockTTL bounds how long a killed run's lock outlives it.
const LockTTL = 12 * time.Hour

// Lock takes the output dataset's one-writer lock for run runID; a lock
// held by another run is exit code 4. The returned function releases it.
func (c *Client) Lock(ctx context.Context, runID string) (func() error, error) {
	t := c.bq.Dataset(c.cfg.Dataset).Table(lockTable)
	err := t.Create(ctx, &bigquery.TableMetadata{
		Schema:         bigquery.Schema{{Name: "run_id", Type: bigquery.StringFieldType}},
		Description:    "held by optout run " + runID,
		ExpirationTime: time.Now().Add(LockTTL),
	})
	if isStatus(err, http.StatusConflict) {
		holder := "another run"
		if meta, merr := t.Metadata(ctx); merr == nil {
			holder = strings.TrimPrefix(meta.Description, "held by ")
		}
		return nil, exit.With(exit.Locked, fmt.Errorf("dataset %s is locked by %s (table %s.%s; it expires by itself %s after the run started)",
			c.cfg.Dataset, holder, c.cfg.Dataset, lockTable, LockTTL))
	}
	if err != nil {
		return nil, mapError("lock", "", fmt.Errorf("create the lock table %s.%s: %w", c.cfg.Dataset, lockTable, err), c.cfg.MaxBytesBilled)
	}
	return func() error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		return t.Delete(ctx)
	}, nil
}
