-- 11 CCR §7102, per calendar year of receipt: requests to opt out received,
-- complied with (in whole or in part: enforced), denied (rejected), and the
-- mean and median calendar days from receipt to first enforcement.
WITH outs AS (
  SELECT r.request_id, r.received_day, r.status, l.first_enforced_at,
    {{ daysBetween "r.received_day" (civilDate "l.first_enforced_at" (param .P.TimeZone)) }} AS days
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
