-- 11 CCR §7102, per calendar year of receipt: requests to opt out received,
-- complied with (in whole or in part: enforced), denied (rejected), and the
-- mean and median calendar days from receipt to first enforcement (never
-- below 0). Each
-- request is in one of complied, denied and pending, by its status as of
-- D: one enforced and rejected since is denied (its enforcement ended),
-- not complied with too.
WITH outs AS (
  SELECT r.request_id, r.received_day, r.status,
    CASE WHEN r.status <> 'rejected' THEN l.first_enforced_at END AS first_enforced_at,
    -- At least 0: a correction can move received_at past the first
    -- enforcement (the request was answered on receipt), as the ledger's
    -- business days are. Not greatest() of a NULL, which DuckDB skips and
    -- GoogleSQL returns.
    CASE WHEN r.status <> 'rejected' AND l.first_enforced_at IS NOT NULL
      THEN greatest({{ daysBetween "r.received_day" (civilDate "l.first_enforced_at" (param .P.TimeZone)) }}, 0) END AS days
  FROM {{ tmp "current_requests" }} r LEFT JOIN {{ template "ledger_as_of" . }} l USING (request_id)
  WHERE r.request_type = 'opt_out'
)
SELECT {{ cast (year "received_day") "int32" }} AS year,
  count(*) AS received,
  count(first_enforced_at) AS complied,
  {{ countIf "status = 'rejected'" }} AS denied,
  {{ countIf "first_enforced_at IS NULL AND status <> 'rejected'" }} AS pending,
  {{ roundDays "avg(days)" }} AS mean_days,
  {{ roundDays (quantileCont "days" 0.5) }} AS median_days
FROM outs
GROUP BY 1
ORDER BY year
