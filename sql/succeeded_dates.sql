-- The dates the published runs rows (relation prev_runs) hold a
-- successful run for, each with whether one of them was final (not
-- provisional): a backfill skips the final ones, and a write-back of D
-- stands aside when a later date has any.
-- Runs rows written before `provisional` existed lack the column.
SELECT strftime(dt, '%Y-%m-%d') AS dt, bool_or(NOT coalesce(provisional, false)) AS final
FROM (SELECT * FROM {{ rel "prev_runs" }} UNION ALL BY NAME SELECT NULL::BOOLEAN AS provisional WHERE false)
WHERE status = 'succeeded'
GROUP BY dt
