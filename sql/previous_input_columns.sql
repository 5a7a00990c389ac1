-- The contracted columns each input had on the latest run that published
-- (relation prev_runs, the published runs rows), and the identifier kinds
-- and request columns it gave values of (what: column, values), which
-- this run's inputs must still have (jobs/columns.go). Latest by
-- started_at, the clock's start of the run: now can be set (--now; a
-- backfill gives every date the same), and the run_id begins with the
-- date, not the time it ran. Only a run whose outputs went out is a
-- baseline: the run that a lost column failed records the loss too, and
-- would otherwise make it the norm for the next. A row with no columns
-- recorded is an older version's (on BigQuery its column reads as an
-- empty list, not NULL).
WITH latest AS (
  SELECT dt, input_columns{{ if .InputValuesGiven }}, input_values_given{{ end }} FROM {{ rel "prev_runs" }}
  WHERE {{ listLen "input_columns" }} > 0
    AND (status IN ('succeeded', 'published'){{ if .Published }} OR published{{ end }})
  ORDER BY started_at DESC, run_id DESC
  LIMIT 1
)
SELECT CAST(dt AS STRING) AS dt, 'column' AS what, c.input AS input, c.name AS name
FROM {{ unnestRows "latest" "input_columns" "c" "" }}
{{- if .InputValuesGiven }}
UNION ALL
SELECT CAST(dt AS STRING) AS dt, 'values' AS what, k.input AS input, k.name AS name
FROM {{ unnestRows "latest" "input_values_given" "k" "" }}
{{- end }}
