{{ define "runs" -}}
-- The runs row of one run (SPEC §6): what it read, wrote and how it ended.
SELECT
  {{ param .Run.RunID }} AS run_id,
  {{ param .Run.Date }}::DATE AS dt,
  {{ param .Run.Now }}::TIMESTAMPTZ AS now,
  {{ param .Run.Engine }} AS engine,
  {{ param .Run.Version }} AS version,
  {{ param .Run.Status }} AS status,
  {{ param .Run.ExitCode }}::INTEGER AS exit_code,
  {{ param .Run.Error }} AS error,
  {{ param .Run.StartedAt }}::TIMESTAMPTZ AS started_at,
  {{ param .Run.DurationMS }}::BIGINT AS duration_ms,
  {{ if .Run.Inputs }}[{{ range $i, $f := .Run.Inputs }}{{ if $i }}, {{ end }}{'input': {{ param $f.Input }}, 'file': {{ param $f.File }}, 'rows_read': {{ param $f.RowsRead }}::BIGINT, 'rows_used': {{ param $f.RowsUsed }}::BIGINT, 'rows_quarantined': {{ param $f.RowsQuarantined }}::BIGINT, 'rows_after_as_of': {{ param $f.RowsAfterAsOf }}::BIGINT, 'invalid_identifiers': {{ param $f.InvalidIdentifiers }}::BIGINT}{{ end }}]{{ else }}CAST([] AS STRUCT(input VARCHAR, file VARCHAR, rows_read BIGINT, rows_used BIGINT, rows_quarantined BIGINT, rows_after_as_of BIGINT, invalid_identifiers BIGINT)[]){{ end }} AS inputs,
  {{ if .Run.Outputs }}[{{ range $i, $o := .Run.Outputs }}{{ if $i }}, {{ end }}{'table': {{ param $o.Table }}, 'rows': {{ param $o.Rows }}::BIGINT}{{ end }}]{{ else }}CAST([] AS STRUCT("table" VARCHAR, "rows" BIGINT)[]){{ end }} AS outputs,
  {{ if .Run.Steps }}[{{ range $i, $s := .Run.Steps }}{{ if $i }}, {{ end }}{'step': {{ param $s.Step }}, 'ms': {{ param $s.MS }}::BIGINT}{{ end }}]{{ else }}CAST([] AS STRUCT(step VARCHAR, ms BIGINT)[]){{ end }} AS steps,
  {{ if .Run.LeakChecks }}[{{ range $i, $l := .Run.LeakChecks }}{{ if $i }}, {{ end }}{'export': {{ param $l.Export }}, 'destination': {{ param $l.Destination }}, 'result': {{ param $l.Result }}, 'leaks': {{ param $l.Leaks }}::BIGINT}{{ end }}]{{ else }}CAST([] AS STRUCT(export VARCHAR, destination VARCHAR, result VARCHAR, leaks BIGINT)[]){{ end }} AS leak_checks,
  {{ param .Run.LedgerRemoved }}::BIGINT AS ledger_removed,
  {{ param .Run.WriteBackRows }}::BIGINT AS write_back_rows,
  {{ if .Run.RetentionRemoved }}[{{ range $i, $o := .Run.RetentionRemoved }}{{ if $i }}, {{ end }}{'table': {{ param $o.Table }}, 'partitions': {{ param $o.Rows }}::BIGINT}{{ end }}]{{ else }}CAST([] AS STRUCT("table" VARCHAR, partitions BIGINT)[]){{ end }} AS retention_removed
{{- end }}
