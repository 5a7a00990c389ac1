-- Write-back (SPEC §3.2), first step: the flag columns on the customers
-- table itself. write_back_update then writes D's flags; DuckDB runs both
-- inside one transaction the job opens.
ALTER TABLE {{ .Table }} ADD COLUMN IF NOT EXISTS ccpa_opt_out BOOLEAN DEFAULT false;
ALTER TABLE {{ .Table }} ADD COLUMN IF NOT EXISTS opt_out_date TIMESTAMPTZ;
-- opt_out_categories has no default: DuckDB cannot replay an added column
-- whose default calls a function (`[]` is list_value()) from its
-- write-ahead log, so a process killed after the write-back committed,
-- before the log was checkpointed, left a database no DuckDB could open
-- again. write_back_update gives every row its list in the same
-- transaction (NULL differs from D's `[]`).
ALTER TABLE {{ .Table }} ADD COLUMN IF NOT EXISTS opt_out_categories VARCHAR[];
