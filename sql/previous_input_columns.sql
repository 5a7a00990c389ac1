-- The contracted columns each input had on the latest run that published
-- (by its now; relation prev_runs, the published runs rows), which this
-- run's inputs must still have (jobs/columns.go). Only a run whose outputs
-- went out is a baseline: the run that a lost column failed records the
-- loss too, and would otherwise make it the norm for the next.
WITH latest AS (
  SELECT dt, input_columns FROM {{ rel "prev_runs" }}
  WHERE input_columns IS NOT NULL
    AND (status IN ('succeeded', 'published'){{ if .Published }} OR published{{ end }})
  ORDER BY now DESC, run_id DESC
  LIMIT 1
)
SELECT CAST(dt AS STRING) AS dt, c.input AS input, c.name AS name
FROM {{ unnestRows "latest" "input_columns" "c" "" }}
