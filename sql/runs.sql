-- The runs row of one run (SPEC §6): what it read, wrote and how it ended.
SELECT
  CAST({{ param .Run.RunID }} AS STRING) AS run_id,
  {{ dateParam .Run.Date }} AS dt,
  {{ cast (param .Run.Now) "timestamp" }} AS now,
  CAST({{ param .Run.Engine }} AS STRING) AS engine,
  CAST({{ param .Run.Version }} AS STRING) AS version,
  CAST({{ param .Run.Status }} AS STRING) AS status,
  {{ cast (param .Run.ExitCode) "int32" }} AS exit_code,
  CAST({{ param .Run.Error }} AS STRING) AS error,
  {{ cast (param .Run.StartedAt) "timestamp" }} AS started_at,
  CAST({{ param .Run.DurationMS }} AS INT64) AS duration_ms,
  {{ listParam "run_inputs" .Run.Inputs }} AS inputs,
  {{ listParam "run_outputs" .Run.Outputs }} AS outputs,
  {{ listParam "run_steps" .Run.Steps }} AS steps,
  CAST({{ param .Run.Statements }} AS INT64) AS statements,
  {{ listParam "run_leak_checks" .Run.LeakChecks }} AS leak_checks,
  CAST({{ param .Run.LedgerRemoved }} AS INT64) AS ledger_removed,
  CAST({{ param .Run.WriteBackRows }} AS INT64) AS write_back_rows,
  {{ listParam "run_retention" .Run.RetentionRemoved }} AS retention_removed,
  CAST({{ param .Run.Provisional }} AS BOOL) AS provisional,
  -- Its publish committed: D's outputs are this run's, even when a step
  -- after it (write-back, retention) failed the run.
  CAST({{ param .Run.Published }} AS BOOL) AS published,
  -- A later run never lets the ledger reach back before it: what retention
  -- removed stays removed (requests_ledger_removed keeps its first
  -- enforcement since 2026-12-05; before, it was lost).
  {{ if .Run.LedgerCutoff }}{{ cast (param .Run.LedgerCutoff) "timestamp" }}{{ else }}{{ null "timestamp" }}{{ end }} AS ledger_cutoff,
  -- The contracted columns each input had: the next run refuses an input
  -- that has lost one (jobs/columns.go; a renamed column reads as NULLs).
  {{ listParam "run_input_columns" .Run.InputColumns }} AS input_columns,
  -- The identifier kinds (and a request source's status and categories)
  -- each input gave 1,000 values or more of: the next run refuses a large
  -- input that gives none of one (jobs/columns.go; an emptied column reads
  -- as no key, a pending status, all categories).
  {{ listParam "run_input_columns" .Run.InputValuesGiven }} AS input_values_given
