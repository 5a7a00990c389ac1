{{ define "runs" -}}
-- The runs row of one run (SPEC §6): what it read, wrote and how it ended.
SELECT
  {{ cast (param .Run.RunID) "text" }} AS run_id,
  {{ dateParam .Run.Date }} AS dt,
  {{ cast (param .Run.Now) "timestamp" }} AS now,
  {{ cast (param .Run.Engine) "text" }} AS engine,
  {{ cast (param .Run.Version) "text" }} AS version,
  {{ cast (param .Run.Status) "text" }} AS status,
  {{ cast (param .Run.ExitCode) "int32" }} AS exit_code,
  {{ cast (param .Run.Error) "text" }} AS error,
  {{ cast (param .Run.StartedAt) "timestamp" }} AS started_at,
  {{ cast (param .Run.DurationMS) "int" }} AS duration_ms,
  {{ listParam "run_inputs" .Run.Inputs }} AS inputs,
  {{ listParam "run_outputs" .Run.Outputs }} AS outputs,
  {{ listParam "run_steps" .Run.Steps }} AS steps,
  {{ cast (param .Run.Statements) "int" }} AS statements,
  {{ listParam "run_leak_checks" .Run.LeakChecks }} AS leak_checks,
  {{ cast (param .Run.LedgerRemoved) "int" }} AS ledger_removed,
  {{ cast (param .Run.WriteBackRows) "int" }} AS write_back_rows,
  {{ listParam "run_retention" .Run.RetentionRemoved }} AS retention_removed,
  {{ cast (param .Run.Provisional) "bool" }} AS provisional
{{- end }}
