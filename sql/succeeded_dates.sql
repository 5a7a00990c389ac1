-- The dates the published runs rows (relation prev_runs) hold a
-- successful run for, each with whether one of them was final (not
-- provisional): a backfill skips the final ones, and a write-back of D
-- stands aside when a later date has any. ledger_cutoff: the latest
-- ledger retention cutoff a run applied (the ledger never reaches back
-- before it). Runs rows written before `provisional` existed lack the
-- column; those written before `ledger_cutoff`, that one.
SELECT strftime(dt, '%Y-%m-%d') AS dt, bool_or(NOT coalesce(provisional, false)) AS final,
  {{ if .HasLedgerCutoff }}max(ledger_cutoff){{ else }}NULL::TIMESTAMPTZ{{ end }} AS ledger_cutoff
FROM (SELECT * FROM {{ rel "prev_runs" }} UNION ALL BY NAME SELECT NULL::BOOLEAN AS provisional WHERE false)
WHERE status = 'succeeded'
GROUP BY dt
