{{/* The compliance metrics (SPEC §8), recomputed in full by every run for D
     from the run's current requests, the ledger and the export summary.
     Months and years are civil ones in the configured time zone. Shares,
     rates and days are rounded (roundRatio, roundDays: transforms/rounding.go). */}}

{{ define "metrics_requests_monthly" -}}
-- Requests received per month and source, whatever their status.
SELECT {{ month "received_at" (param .P.TimeZone) }} AS month,
  coalesce(source, 'unknown') AS source,
  count(*) AS requests,
  {{ countIf "request_type = 'opt_out'" }} AS opt_outs,
  {{ countIf "request_type = 'opt_in'" }} AS opt_ins
FROM {{ tmp "current_requests" }}
GROUP BY 1, 2
ORDER BY month, source
{{- end }}

{{ define "metrics_optout_rate_by_source" -}}
-- Opt-outs per month and traffic source over the visitors of that source in
-- that month ({{ if .Traffic }}traffic input{{ else }}no traffic input: the customers of that traffic source{{ end }}).
WITH outs AS (
  SELECT {{ month "received_at" (param .P.TimeZone) }} AS month,
    coalesce(traffic_source, 'unknown') AS traffic_source, count(*) AS opt_outs
  FROM {{ tmp "current_requests" }} WHERE request_type = 'opt_out'
  GROUP BY 1, 2
),
{{- if .Traffic }}
denominators AS (
  SELECT {{ dateMonth "date" }} AS month, traffic_source, {{ cast "sum(visitors)" "int" }} AS denominator, 'visitors' AS denominator_kind
  FROM {{ tmp "traffic_rows" }} WHERE reason IS NULL
  GROUP BY 1, 2
)
SELECT month, traffic_source, coalesce(o.opt_outs, 0) AS opt_outs, d.denominator, 'visitors' AS denominator_kind,
  CASE WHEN d.denominator > 0 THEN {{ roundRatio "coalesce(o.opt_outs, 0) / d.denominator" }} END AS rate
FROM outs o FULL OUTER JOIN denominators d USING (month, traffic_source)
{{- else }}
denominators AS (
  SELECT traffic_source, customers AS denominator FROM {{ tmp "customer_sources" }}
)
SELECT o.month, o.traffic_source, o.opt_outs, d.denominator, 'customers' AS denominator_kind,
  CASE WHEN d.denominator > 0 THEN {{ roundRatio "o.opt_outs / d.denominator" }} END AS rate
FROM outs o LEFT JOIN denominators d USING (traffic_source)
{{- end }}
ORDER BY month, traffic_source
{{- end }}

{{ define "metrics_processing_time" -}}
-- Business days from receipt to first enforcement, per month of receipt,
-- against policy.target_business_days and each request's SLA.
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
FROM {{ tmp "ledger" }}
GROUP BY 1
ORDER BY month
{{- end }}

{{ define "metrics_sync" -}}
-- Per export: this run's rows in and suppressed, and its leak checks over
-- the dates up to D (earlier runs' results from runs/, this run's passed).
-- Counted per date, so rerunning D does not change the figures.
WITH checks AS (
{{- if .HasPrevRuns }}
  SELECT dt, l.export, l.result
  FROM {{ unnestRows (rel "prev_runs") "leak_checks" "l" "leak_checks IS NOT NULL" }}
  WHERE dt <= {{ dateParam .P.Date }}
  UNION ALL
{{- end }}
  SELECT {{ dateParam .P.Date }} AS dt, export, 'passed' AS result FROM {{ tmp "export_summary" }}
),
-- Per date first, then per export: two plain aggregates cost DuckDB less
-- than one with two DISTINCT counts (each a hash table of its own).
dates AS (
  SELECT export, dt, {{ countIf "result = 'failed'" }} AS failures
  FROM checks GROUP BY export, dt
),
history AS (
  SELECT export, count(*) AS dates_checked,
    {{ cast "sum(failures)" "int" }} AS leak_check_failures,
    {{ countIf "failures > 0" }} AS dates_failed
  FROM dates GROUP BY export
)
SELECT s.export, s.destination, s.rows_in, s.rows_suppressed, s.rows_kept,
  h.dates_checked, h.leak_check_failures, h.dates_failed,
  {{ roundRatio "h.dates_failed / h.dates_checked" }} AS failure_rate
FROM {{ tmp "export_summary" }} s JOIN history h USING (export)
ORDER BY s.export
{{- end }}

{{ define "metrics_categories" -}}
-- Per month, how many requests chose each category (as chosen: `all` is
-- one choice), and their share of the month's requests.
WITH chosen AS (
  SELECT {{ month "received_at" (param .P.TimeZone) }} AS month, request_id, category
  FROM {{ unnestRows (tmp "current_requests") (sortedSet "categories") "category" "" }}
),
months AS (
  SELECT {{ month "received_at" (param .P.TimeZone) }} AS month, count(*) AS total
  FROM {{ tmp "current_requests" }} GROUP BY 1
)
SELECT c.month, c.category, count(*) AS requests, {{ roundRatio "count(*) / m.total" }} AS share
FROM chosen c JOIN months m USING (month)
GROUP BY c.month, c.category, m.total
ORDER BY c.month, c.category
{{- end }}

{{ define "metrics_geography" -}}
-- Requests per month and state, their share of the month, and whether the
-- state is California.
WITH by_state AS (
  SELECT {{ month "received_at" (param .P.TimeZone) }} AS month,
    coalesce(state, 'unknown') AS state, count(*) AS requests
  FROM {{ tmp "current_requests" }} GROUP BY 1, 2
)
SELECT month, state, requests, {{ roundRatio "requests / sum(requests) OVER (PARTITION BY month)" }} AS share,
  state = 'CA' AS is_california
FROM by_state
ORDER BY month, state
{{- end }}

{{ define "metrics_reauthorizations" -}}
-- Each opt_in of a customer within 12 months after that customer's latest
-- earlier opt_out (a business may not ask again within 12 months). The
-- latest opt_out is found by two aggregations rather than a window: its
-- time, then the greatest request_id at that time (the tie-break).
WITH events AS (
  SELECT m.customer_id, r.request_id, r.request_type, r.received_at
  FROM {{ tmp "customer_matches" }} m JOIN {{ tmp "requests" }} r USING (request_id)
),
latest AS (
  SELECT i.customer_id, i.request_id AS opt_in_request_id, i.received_at AS opt_in_at,
    max(o.received_at) AS opt_out_at
  FROM events i JOIN events o ON o.customer_id = i.customer_id
  WHERE i.request_type = 'opt_in' AND o.request_type = 'opt_out' AND o.received_at < i.received_at
  GROUP BY i.customer_id, i.request_id, i.received_at
),
pairs AS (
  SELECT l.customer_id, max(o.request_id) AS opt_out_request_id, l.opt_out_at,
    l.opt_in_request_id, l.opt_in_at
  FROM latest l JOIN events o ON o.customer_id = l.customer_id
    AND o.request_type = 'opt_out' AND o.received_at = l.opt_out_at
  GROUP BY l.customer_id, l.opt_out_at, l.opt_in_request_id, l.opt_in_at
)
SELECT {{ month "opt_in_at" (param .P.TimeZone) }} AS month, customer_id,
  opt_out_request_id, opt_out_at, opt_in_request_id, opt_in_at,
  {{ daysBetween (civilDate "opt_out_at" (param .P.TimeZone)) (civilDate "opt_in_at" (param .P.TimeZone)) }} AS days_after_opt_out
FROM pairs
WHERE opt_in_at <= {{ addMonths "opt_out_at" 12 }}
ORDER BY opt_in_at, customer_id
{{- end }}

{{ define "metrics_annual_disclosure" -}}
-- 11 CCR §7102, per calendar year of receipt: requests to opt out received,
-- complied with (in whole or in part: enforced), denied (rejected), and the
-- mean and median calendar days from receipt to first enforcement.
WITH outs AS (
  SELECT r.request_id, r.received_at, r.status, l.first_enforced_at,
    {{ daysBetween (civilDate "r.received_at" (param .P.TimeZone)) (civilDate "l.first_enforced_at" (param .P.TimeZone)) }} AS days
  FROM {{ tmp "current_requests" }} r LEFT JOIN {{ tmp "ledger" }} l USING (request_id)
  WHERE r.request_type = 'opt_out'
)
SELECT {{ cast (year (civilDate "received_at" (param .P.TimeZone))) "int32" }} AS year,
  count(*) AS received,
  count(first_enforced_at) AS complied,
  {{ countIf "status = 'rejected'" }} AS denied,
  {{ countIf "first_enforced_at IS NULL AND status <> 'rejected'" }} AS pending,
  {{ roundDays "avg(days)" }} AS mean_days,
  {{ roundDays (quantileCont "days" 0.5) }} AS median_days
FROM outs
GROUP BY 1
ORDER BY year
{{- end }}
