-- Per export: this run's rows in and suppressed, and its leak checks over
-- the dates up to D (earlier runs' results from runs/, this run's passed).
-- Counted per date, so rerunning D does not change the figures.
WITH checks AS (
{{- if .HasPrevRuns }}
  SELECT dt, l.export, l.result
  FROM {{ unnestRows (rel "prev_runs") "leak_checks" "l" "leak_checks IS NOT NULL" }}
  WHERE dt <= {{ dateParam .P.Date }}
  UNION ALL
{{- end }}
  SELECT {{ dateParam .P.Date }} AS dt, export, 'passed' AS result FROM {{ tmp "export_summary" }}
),
-- Per date first, then per export: two plain aggregates cost DuckDB less
-- than one with two DISTINCT counts (each a hash table of its own).
dates AS (
  SELECT export, dt, {{ countIf "result = 'failed'" }} AS failures
  FROM checks GROUP BY export, dt
),
history AS (
  SELECT export, count(*) AS dates_checked,
    CAST(sum(failures) AS INT64) AS leak_check_failures,
    {{ countIf "failures > 0" }} AS dates_failed
  FROM dates GROUP BY export
)
SELECT s.export, s.destination, s.rows_in, s.rows_suppressed, s.rows_kept,
  h.dates_checked, h.leak_check_failures, h.dates_failed,
  {{ roundRatio "h.dates_failed / h.dates_checked" }} AS failure_rate
FROM {{ tmp "export_summary" }} s JOIN history h USING (export)
ORDER BY s.export
