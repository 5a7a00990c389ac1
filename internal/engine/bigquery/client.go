// Package bigquery runs a run's steps in BigQuery: query jobs through the
// official client (labels, byte cap, job-ID prefix, retries of transient
// failures, cancellation of the server job, errors mapped to the exit
// codes), a scratch dataset per run, and the one-transaction publish.
package bigquery

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"cloud.google.com/go/bigquery"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"

	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/internal/engine"
	"github.com/optout-dev/optout/internal/exit"
	"github.com/optout-dev/optout/transforms"
)

// Client is one run's connection to BigQuery.
type Client struct {
	bq     *bigquery.Client
	cfg    config.BigQuery
	labels map[string]string // the run's labels; each job adds optout_step
	// Backoff is the wait before each retry of a transiently failed job;
	// its length is the number of retries.
	Backoff []time.Duration
	// statements counts the statements of the jobs sent (not dry runs);
	// a retried job counts once.
	statements atomic.Int64
}

// Result is what one job did.
type Result struct {
	JobID          string
	BytesProcessed int64
	Rows           []map[string]bigquery.Value // Query only: every page
	// DMLAffectedRows is the rows a DML statement inserted, updated or
	// deleted.
	DMLAffectedRows int64
}

// New connects for the run runID of date dt. Credentials come from
// Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS), never
// from the config; opts are for tests and emulators.
func New(ctx context.Context, cfg config.BigQuery, runID, dt string, opts ...option.ClientOption) (*Client, error) {
	if cfg.Endpoint != "" {
		opts = append(opts, option.WithEndpoint(cfg.Endpoint))
	}
	bq, err := bigquery.NewClient(ctx, cfg.Project, opts...)
	if err != nil {
		return nil, exit.With(exit.Usage, fmt.Errorf("bigquery project %s: %w (credentials come from Application Default Credentials: set GOOGLE_APPLICATION_CREDENTIALS or run gcloud auth application-default login)", cfg.Project, err))
	}
	bq.Location = cfg.Location
	return &Client{
		bq: bq, cfg: cfg,
		labels:  map[string]string{"optout_run_id": labelValue(runID), "optout_dt": labelValue(dt)},
		Backoff: []time.Duration{time.Second, 4 * time.Second, 16 * time.Second},
	}, nil
}

// Close releases the client.
func (c *Client) Close() error { return c.bq.Close() }

// Exec runs a statement (DDL, DML, a script) and waits for it.
func (c *Client) Exec(ctx context.Context, step, sql string, args ...any) (Result, error) {
	return c.run(ctx, step, sql, args, false)
}

// Query runs a query and reads all its rows, page by page.
func (c *Client) Query(ctx context.Context, step, sql string, args ...any) (Result, error) {
	return c.run(ctx, step, sql, args, true)
}

// DryRun asks BigQuery what the query would scan, and the schema of its
// result, without running it.
func (c *Client) DryRun(ctx context.Context, step, sql string, args ...any) (int64, bigquery.Schema, error) {
	q := c.query(step, sql, args)
	q.DryRun = true
	job, err := q.Run(ctx)
	if err != nil {
		return 0, nil, mapError(step, "", err, c.cfg.MaxBytesBilled)
	}
	st := job.LastStatus()
	if st == nil || st.Statistics == nil {
		return 0, nil, fmt.Errorf("step %s: the dry run returned no statistics", step)
	}
	var schema bigquery.Schema
	if qs, ok := st.Statistics.Details.(*bigquery.QueryStatistics); ok {
		schema = qs.Schema
	}
	return st.Statistics.TotalBytesProcessed, schema, nil
}

// query configures one job: positional parameters (the templates' ?),
// labels, byte cap, job-ID prefix.
func (c *Client) query(step, sql string, args []any) *bigquery.Query {
	q := c.bq.Query(sql)
	for _, a := range args {
		q.Parameters = append(q.Parameters, bigquery.QueryParameter{Value: a})
	}
	q.Labels = map[string]string{"optout_step": labelValue(step)}
	for k, v := range c.labels {
		q.Labels[k] = v
	}
	if c.cfg.MaxBytesBilled > 0 {
		q.MaxBytesBilled = c.cfg.MaxBytesBilled
	}
	q.JobIDConfig = bigquery.JobIDConfig{JobID: "optout_" + labelValue(step) + "_", AddJobIDSuffix: true}
	q.Location = c.cfg.Location
	return q
}

// Statements is how many SQL statements the client's jobs have held, dry
// runs aside (engine.Steps.Statements).
func (c *Client) Statements() int64 { return c.statements.Load() }

func (c *Client) run(ctx context.Context, step, sql string, args []any, read bool) (Result, error) {
	c.statements.Add(int64(transforms.BigQuery.Statements(sql)))
	for attempt := 0; ; attempt++ {
		res, err := c.once(ctx, step, sql, args, read)
		if err == nil {
			return res, nil
		}
		if ctx.Err() != nil {
			return res, exit.With(exit.Failed, fmt.Errorf("step %s: cancelled (server job %s cancelled): %w", step, res.JobID, ctx.Err()))
		}
		if !transient(err) || attempt >= len(c.Backoff) {
			return res, mapError(step, res.JobID, err, c.cfg.MaxBytesBilled)
		}
		select {
		case <-time.After(c.Backoff[attempt]):
		case <-ctx.Done():
			return res, exit.With(exit.Failed, fmt.Errorf("step %s: cancelled while waiting to retry: %w", step, ctx.Err()))
		}
	}
}

// once runs one job to its end. When ctx ends first, the server job is
// cancelled too: BigQuery would otherwise keep running (and billing) it.
func (c *Client) once(ctx context.Context, step, sql string, args []any, read bool) (Result, error) {
	job, err := c.query(step, sql, args).Run(ctx)
	if err != nil {
		return Result{}, err
	}
	res := Result{JobID: job.ID()}
	status, err := job.Wait(ctx)
	if err == nil && status.Err() != nil {
		err = status.Err()
	}
	if err == nil && read {
		err = readAll(ctx, job, &res)
	}
	if ctx.Err() != nil {
		cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if cerr := job.Cancel(cctx); cerr != nil {
			err = errors.Join(err, fmt.Errorf("cancel job %s: %w", job.ID(), cerr))
		}
		return res, err
	}
	if err == nil && status.Statistics != nil {
		res.BytesProcessed = status.Statistics.TotalBytesProcessed
		if qs, ok := status.Statistics.Details.(*bigquery.QueryStatistics); ok {
			res.DMLAffectedRows = qs.NumDMLAffectedRows
		}
	}
	return res, err
}

func readAll(ctx context.Context, job *bigquery.Job, res *Result) error {
	it, err := job.Read(ctx)
	if err != nil {
		return err
	}
	for {
		row := map[string]bigquery.Value{}
		err := it.Next(&row)
		if errors.Is(err, iterator.Done) {
			return nil
		}
		if err != nil {
			return err
		}
		res.Rows = append(res.Rows, row)
	}
}

// transientReasons are BigQuery error reasons worth a new job.
var transientReasons = map[string]bool{"rateLimitExceeded": true, "backendError": true, "internalError": true,
	"jobBackendError": true, "jobInternalError": true, "jobRateLimitExceeded": true}

func transient(err error) bool {
	var ge *googleapi.Error
	if errors.As(err, &ge) {
		switch ge.Code {
		case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			return true
		}
		for _, e := range ge.Errors {
			if transientReasons[e.Reason] {
				return true
			}
		}
	}
	var be *bigquery.Error
	return errors.As(err, &be) && transientReasons[be.Reason]
}

// runtimeReasons are BigQuery's error reasons that say nothing of the
// inputs: the job ran out of resources or quota, or the service failed.
var runtimeReasons = []string{"resourcesExceeded", "rateLimitExceeded", "quotaExceeded", "backendError", "internalError", "jobInternalError", "jobBackendError"}

// mapError names the step and job and says what failed: a missing table
// is an input problem (3), a refused credential or permission a
// configuration problem (2), the byte cap a failed run (1), resources,
// quota and the service an engine.RuntimeError (1). Anything else is left
// unclassified: a failed run (1), or bad input (3) when the step was
// reading an input (jobs decides).
func mapError(step, jobID string, err error, maxBytes int64) error {
	reason, code := "", 0
	var ge *googleapi.Error
	var be *bigquery.Error
	switch {
	case errors.As(err, &be):
		reason = be.Reason
	case errors.As(err, &ge):
		code = ge.Code
		if len(ge.Errors) > 0 {
			reason = ge.Errors[0].Reason
		}
	}
	where := "step " + step
	if jobID != "" {
		where += " (job " + jobID + ")"
	}
	switch {
	case reason == "bytesBilledLimitExceeded":
		return exit.With(exit.Failed, fmt.Errorf("%s: the query would bill more than bigquery.max_bytes_billed (%d bytes); raise the cap or check the inputs: %w", where, maxBytes, err))
	case reason == "notFound" || code == http.StatusNotFound:
		return exit.With(exit.Input, fmt.Errorf("%s: a table or dataset does not exist: %w", where, err))
	case reason == "accessDenied" || code == http.StatusUnauthorized || code == http.StatusForbidden:
		return exit.With(exit.Usage, fmt.Errorf("%s: access denied; the credentials need roles/bigquery.user on the project and roles/bigquery.dataEditor on the dataset: %w", where, err))
	case slices.Contains(runtimeReasons, reason) || code == http.StatusTooManyRequests || code >= 500:
		return &engine.RuntimeError{Msg: fmt.Sprintf("%s: %v", where, err)}
	}
	// Unclassified: a failure of the run (exit 1), or of its inputs when
	// the step was reading them (jobs says which).
	return fmt.Errorf("%s: %w", where, err)
}

var labelUnsafe = regexp.MustCompile(`[^a-z0-9_-]+`)

// labelValue fits s to BigQuery's label and job-ID alphabet: lowercase
// letters, digits, _ and -, at most 63 characters.
func labelValue(s string) string {
	s = labelUnsafe.ReplaceAllString(strings.ToLower(s), "_")
	if len(s) > 63 {
		s = s[:63]
	}
	return s
}
