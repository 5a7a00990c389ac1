-- The dates the published runs rows (relation succeeded_runs) hold a
-- successful run for that was not provisional: a backfill skips them.
-- Runs rows written before `provisional` existed lack the column.
SELECT DISTINCT strftime(dt, '%Y-%m-%d') AS dt
FROM (SELECT * FROM {{ rel "succeeded_runs" }} UNION ALL BY NAME SELECT NULL::BOOLEAN AS provisional WHERE false)
WHERE status = 'succeeded' AND NOT coalesce(provisional, false)
