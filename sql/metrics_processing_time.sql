-- Business days from receipt to first enforcement, per month of receipt,
-- against policy.target_business_days and each request's SLA, as of D.
SELECT {{ month "received_at" (param .P.TimeZone) }} AS month,
  count(*) AS requests,
  count(first_enforced_at) AS processed,
  {{ roundDays "avg(business_days)" }} AS avg_business_days,
  {{ roundDays (quantileCont "business_days" 0.5) }} AS p50_business_days,
  {{ roundDays (quantileCont "business_days" 0.95) }} AS p95_business_days,
  {{ countIf (print "business_days <= " (param .P.TargetDays)) }} AS within_target,
  {{ countIf "sla_status = 'met'" }} AS within_sla,
  {{ countIf "sla_status = 'breached'" }} AS breached,
  {{ countIf "sla_status = 'open'" }} AS open,
  {{ countIf "sla_status = 'open_breached'" }} AS open_past_deadline
FROM {{ template "ledger_as_of" . }} l
GROUP BY 1
ORDER BY month
