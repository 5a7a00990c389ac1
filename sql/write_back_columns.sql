-- Write-back (SPEC §3.2), first step: the flag columns on the customers
-- table itself. write_back_update then writes D's flags; DuckDB runs both
-- inside one transaction the job opens.
ALTER TABLE {{ .Table }} ADD COLUMN IF NOT EXISTS ccpa_opt_out BOOLEAN DEFAULT false;
ALTER TABLE {{ .Table }} ADD COLUMN IF NOT EXISTS opt_out_date TIMESTAMPTZ;
ALTER TABLE {{ .Table }} ADD COLUMN IF NOT EXISTS opt_out_categories VARCHAR[] DEFAULT CAST([] AS VARCHAR[]);
