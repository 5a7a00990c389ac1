-- Write-back (SPEC §3.2), first step: the flag columns on the customers
-- table itself. write_back_update then writes D's flags; DuckDB runs both
-- inside one transaction the job opens.
ALTER TABLE {{ .Table }} ADD COLUMN IF NOT EXISTS ccpa_opt_out BOOLEAN DEFAULT false;
ALTER TABLE {{ .Table }} ADD COLUMN IF NOT EXISTS opt_out_date TIMESTAMPTZ;
-- opt_out_categories has no default: DuckDB cannot replay an added column
-- whose default calls a function (`[]` is list_value()) from its
-- write-ahead log, so a process killed after the write-back committed,
-- before the log was checkpointed, left a database no DuckDB could open
-- again. So a row without a list that write_back_update does not reach (a
-- customer without a usable id) gets an empty one here, in the same
-- transaction, as BigQuery reads a missing array; the rows it reaches
-- get D's list there, and are counted.
ALTER TABLE {{ .Table }} ADD COLUMN IF NOT EXISTS opt_out_categories VARCHAR[];
UPDATE {{ .Table }} AS c SET opt_out_categories = []
WHERE c.opt_out_categories IS NULL
  AND NOT EXISTS (SELECT 1 FROM {{ template "write_back_flags" . }} AS f WHERE f.{{ .IDColumn }} = c.{{ .IDColumn }});
