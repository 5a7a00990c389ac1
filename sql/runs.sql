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
  {{ if .Run.Inputs }}[{{ range $i, $f := .Run.Inputs }}{{ if $i }}, {{ end }}{{ struct "input" (cast (param $f.Input) "text") "file" (cast (param $f.File) "text") "rows_read" (cast (param $f.RowsRead) "int") "rows_used" (cast (param $f.RowsUsed) "int") "rows_quarantined" (cast (param $f.RowsQuarantined) "int") "rows_after_as_of" (cast (param $f.RowsAfterAsOf) "int") "invalid_identifiers" (cast (param $f.InvalidIdentifiers) "int") }}{{ end }}]{{ else }}{{ emptyList "run_inputs" }}{{ end }} AS inputs,
  {{ if .Run.Outputs }}[{{ range $i, $o := .Run.Outputs }}{{ if $i }}, {{ end }}{{ struct "table" (cast (param $o.Table) "text") "rows" (cast (param $o.Rows) "int") }}{{ end }}]{{ else }}{{ emptyList "run_outputs" }}{{ end }} AS outputs,
  {{ if .Run.Steps }}[{{ range $i, $s := .Run.Steps }}{{ if $i }}, {{ end }}{{ struct "step" (cast (param $s.Step) "text") "ms" (cast (param $s.MS) "int") }}{{ end }}]{{ else }}{{ emptyList "run_steps" }}{{ end }} AS steps,
  {{ if .Run.LeakChecks }}[{{ range $i, $l := .Run.LeakChecks }}{{ if $i }}, {{ end }}{{ struct "export" (cast (param $l.Export) "text") "destination" (cast (param $l.Destination) "text") "result" (cast (param $l.Result) "text") "leaks" (cast (param $l.Leaks) "int") }}{{ end }}]{{ else }}{{ emptyList "run_leak_checks" }}{{ end }} AS leak_checks,
  {{ cast (param .Run.LedgerRemoved) "int" }} AS ledger_removed,
  {{ cast (param .Run.WriteBackRows) "int" }} AS write_back_rows,
  {{ if .Run.RetentionRemoved }}[{{ range $i, $o := .Run.RetentionRemoved }}{{ if $i }}, {{ end }}{{ struct "table" (cast (param $o.Table) "text") "partitions" (cast (param $o.Rows) "int") }}{{ end }}]{{ else }}{{ emptyList "run_retention" }}{{ end }} AS retention_removed
{{- end }}
