-- succeeded_dates in GoogleSQL (every runs table has `provisional`; one
-- an older version wrote lacks ledger_cutoff and published until this
-- version's first runs row adds them).
SELECT FORMAT_DATE('%Y-%m-%d', dt) AS dt, LOGICAL_OR(status = 'succeeded') AS succeeded,
  LOGICAL_OR(status = 'succeeded' AND NOT COALESCE(provisional, FALSE)) AS final,
  {{ if .LedgerCutoff }}MAX(ledger_cutoff){{ else }}CAST(NULL AS TIMESTAMP){{ end }} AS ledger_cutoff,
  MAX(now) AS latest_now
FROM {{ rel "prev_runs" }}
WHERE status IN ('succeeded', 'published'){{ if .Published }} OR published{{ end }}
GROUP BY dt
