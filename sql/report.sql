{{/* The dashboard's queries (optout report) over the published metrics of
     D: views metrics_<table>, requests_ledger, third_party_notifications,
     runs. Data: transforms.ReportParams (.Date, .TimeZone, .Today). */}}

{{ define "report_run" -}}
-- The run that published D's metrics (the latest succeeded run for D) and
-- the run that last wrote the cumulative ledger (the latest succeeded run
-- of any date): the page names both, and says so when they differ.
WITH ok AS (SELECT run_id, dt, now, version, provisional, started_at FROM runs WHERE status = 'succeeded'),
of_d AS (SELECT * FROM ok WHERE dt = {{ dateParam .Date }} ORDER BY started_at DESC LIMIT 1),
last AS (SELECT * FROM ok ORDER BY started_at DESC LIMIT 1)
SELECT d.run_id, d.now, d.version, coalesce(d.provisional, false) AS provisional,
  l.run_id AS ledger_run_id, l.dt AS ledger_dt, l.now AS ledger_now
FROM of_d d CROSS JOIN last l
{{- end }}

{{ define "report_headline" -}}
-- The month of D and the month before, by month of receipt (the months of
-- the metrics: civil ones in the time zone): requests received (all of
-- them, as requests_monthly counts), and of the ones to act on
-- (processing_time) how many were completed, completed within their SLA,
-- the median business days to complete them, and how many breached it
-- (enforced late, or open past the deadline). A month without requests has
-- zeros and no share or median.
WITH months AS (
  SELECT 'this' AS which, strftime({{ dateParam .Date }}, '%Y-%m') AS month
  UNION ALL
  SELECT 'last' AS which, strftime({{ dateParam .Date }} - INTERVAL 1 MONTH, '%Y-%m') AS month
),
received AS (SELECT month, sum(requests) AS received FROM metrics_requests_monthly GROUP BY month)
SELECT m.which, m.month,
  coalesce(r.received, 0) AS received,
  coalesce(p.processed, 0) AS completed,
  coalesce(p.within_sla, 0) AS within_sla,
  CASE WHEN p.processed > 0 THEN p.within_sla / p.processed END AS within_sla_share,
  p.p50_business_days AS median_business_days,
  coalesce(p.breached, 0) + coalesce(p.open_past_deadline, 0) AS breached
FROM months m
LEFT JOIN received r USING (month)
LEFT JOIN metrics_processing_time p USING (month)
ORDER BY m.which DESC
{{- end }}

{{ define "report_monthly" -}}
SELECT month, sum(requests) AS requests, sum(opt_outs) AS opt_outs, sum(opt_ins) AS opt_ins
FROM metrics_requests_monthly GROUP BY month ORDER BY month
{{- end }}

{{ define "report_rate" -}}
-- Visitors add up over months; a customers denominator is the same every
-- month. A source with no denominator has no rate (NULL, shown as n/a).
WITH sources AS (
  SELECT traffic_source, sum(opt_outs) AS opt_outs,
    CASE WHEN any_value(denominator_kind) = 'customers' THEN max(denominator) ELSE sum(denominator) END AS denominator
  FROM metrics_optout_rate_by_source GROUP BY traffic_source
)
SELECT traffic_source, opt_outs, denominator,
  CASE WHEN denominator > 0 THEN opt_outs / denominator END AS rate
FROM sources ORDER BY traffic_source
{{- end }}

{{ define "report_processing" -}}
SELECT * FROM metrics_processing_time ORDER BY month
{{- end }}

{{ define "report_sync" -}}
SELECT *, CASE WHEN rows_in > 0 THEN rows_suppressed / rows_in END AS suppressed_share
FROM metrics_sync ORDER BY export
{{- end }}

{{ define "report_categories" -}}
SELECT category AS label, sum(requests) AS requests FROM metrics_categories GROUP BY category ORDER BY category
{{- end }}

{{ define "report_geography" -}}
SELECT state AS label, sum(requests) AS requests FROM metrics_geography GROUP BY state ORDER BY state
{{- end }}

{{ define "report_open" -}}
-- The requests still open in the ledger, most urgent first (the earliest
-- deadline, so the ones past it lead), with the calendar days left from
-- .Today (the day of the ledger run's now) to the day of the deadline, in
-- the time zone: 0 is due today, negative is overdue. At most 15 past the
-- deadline and 15 still in time, so the overdue never hide the ones that
-- can still be met.
WITH open AS (
  SELECT request_id, received_at, deadline, coalesce(state, '') AS state, sla_status,
    {{ daysBetween (dateParam .Today) (civilDate "deadline" (param .TimeZone)) }} AS days_left
  FROM requests_ledger WHERE sla_status IN ('open', 'open_breached')
)
SELECT request_id,
  strftime({{ civilDate "received_at" (param .TimeZone) }}, '%Y-%m-%d') AS received,
  strftime({{ civilDate "deadline" (param .TimeZone) }}, '%Y-%m-%d') AS deadline,
  days_left, state, sla_status
FROM open
QUALIFY row_number() OVER (PARTITION BY sla_status ORDER BY deadline, request_id) <= 15
ORDER BY open.deadline, request_id
{{- end }}

{{ define "report_annual" -}}
SELECT * FROM metrics_annual_disclosure ORDER BY year
{{- end }}

{{ define "report_totals" -}}
-- Open requests over all months (processing_time), this run's third-party
-- notices, and the opt-ins within 12 months of an opt-out.
SELECT
  (SELECT sum(open) + sum(open_past_deadline) FROM metrics_processing_time) AS open,
  (SELECT sum(open_past_deadline) FROM metrics_processing_time) AS open_past_deadline,
  (SELECT count(*) FROM metrics_reauthorizations) AS reauthorizations,
  (SELECT count(*) FROM third_party_notifications) AS notices
{{- end }}
