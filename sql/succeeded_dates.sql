-- The dates whose outputs a run published, from the published runs rows
-- (relation prev_runs): a successful run's row, the `published` row of
-- a run that died after its publish (before its retention, perhaps after
-- its write-back), or the row of a run that failed after its publish
-- (`published`: a failed retention or write-back).
-- Any of them's outputs are there: a write-back of D stands aside when a
-- later date has any, and the ledger follows the newest. succeeded: one
-- of them succeeded, and final: one that succeeded was not provisional
-- (a backfill skips those dates, and runs the others again).
-- ledger_cutoff: the latest ledger retention cutoff a run applied (the
-- ledger never reaches back before it; a published ledger has it
-- applied). latest_now: the latest now of those runs (a later run may not
-- set its now before it). Runs rows written before `provisional` existed lack the
-- column; those written before `ledger_cutoff` or `published`, those.
SELECT strftime(dt, '%Y-%m-%d') AS dt, bool_or(status = 'succeeded') AS succeeded,
  bool_or(status = 'succeeded' AND NOT coalesce(provisional, false)) AS final,
  {{ if .LedgerCutoff }}max(ledger_cutoff){{ else }}NULL::TIMESTAMPTZ{{ end }} AS ledger_cutoff,
  max(now) AS latest_now
FROM (SELECT * FROM {{ rel "prev_runs" }} UNION ALL BY NAME SELECT NULL::BOOLEAN AS provisional WHERE false)
WHERE status IN ('succeeded', 'published'){{ if .Published }} OR published{{ end }}
GROUP BY dt
