-- The run that published D's metrics (the latest run of D whose publish
-- committed) and the run that last wrote the cumulative ledger (the latest
-- such run of any date): the page names both, and says so when they
-- differ. A run that published and failed after (its retention or
-- write-back) published D's outputs all the same, as did one whose row
-- stayed `published` (it died after its publish): the page was refused,
-- or named an earlier run whose outputs had been replaced.
WITH ok AS (
  SELECT run_id, dt, now, version, provisional, started_at, inputs FROM {{ rel "runs" }}
  WHERE status IN ('succeeded', 'published'){{ if .Published }} OR published{{ end }}
),
of_d AS (SELECT * FROM ok WHERE dt = {{ dateParam .Date }} ORDER BY started_at DESC LIMIT 1),
last AS (SELECT * FROM ok ORDER BY started_at DESC LIMIT 1)
SELECT d.run_id, d.now, d.version, coalesce(d.provisional, false) AS provisional,
  l.run_id AS ledger_run_id, CAST(l.dt AS STRING) AS ledger_dt, l.now AS ledger_now,
  -- The input rows D's run quarantined: no figure of the page counts
  -- them, so a date whose every request row was quarantined read as a
  -- date with no requests.
  (SELECT coalesce(sum(i.rows_quarantined), 0) FROM {{ unnestRows "of_d" "inputs" "i" "" }}) AS quarantined
FROM of_d d CROSS JOIN last l
