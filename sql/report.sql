{{/* The dashboard's queries (optout report) over the published tables of
     transforms.ReportTables, read into the run's own relations (rel):
     metrics_<table> (date D), requests_ledger, runs and, when D has any,
     third_party_notifications. Data: transforms.ReportParams. One text
     for both engines: every query names its columns (a published table
     has more on either engine: DuckDB's _file and _row, BigQuery's dt
     partition) and returns dates as text (BigQuery's client returns a
     DATE as a civil date, DuckDB's as a time). */}}

{{ define "report_run" -}}
-- The run that published D's metrics (the latest succeeded run for D) and
-- the run that last wrote the cumulative ledger (the latest succeeded run
-- of any date): the page names both, and says so when they differ.
WITH ok AS (SELECT run_id, dt, now, version, provisional, started_at FROM {{ rel "runs" }} WHERE status = 'succeeded'),
of_d AS (SELECT * FROM ok WHERE dt = {{ dateParam .Date }} ORDER BY started_at DESC LIMIT 1),
last AS (SELECT * FROM ok ORDER BY started_at DESC LIMIT 1)
SELECT d.run_id, d.now, d.version, coalesce(d.provisional, false) AS provisional,
  l.run_id AS ledger_run_id, CAST(l.dt AS STRING) AS ledger_dt, l.now AS ledger_now
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
  SELECT 'this' AS which, {{ dateMonth (dateParam .Date) }} AS month
  UNION ALL
  SELECT 'last' AS which, {{ dateMonth (dateParam .LastMonth) }} AS month
),
received AS (SELECT month, sum(requests) AS received FROM {{ rel "metrics_requests_monthly" }} GROUP BY month)
SELECT m.which, m.month,
  coalesce(r.received, 0) AS received,
  coalesce(p.processed, 0) AS completed,
  coalesce(p.within_sla, 0) AS within_sla,
  CASE WHEN p.processed > 0 THEN p.within_sla / p.processed END AS within_sla_share,
  p.p50_business_days AS median_business_days,
  coalesce(p.breached, 0) + coalesce(p.open_past_deadline, 0) AS breached
FROM months m
LEFT JOIN received r ON r.month = m.month
LEFT JOIN {{ rel "metrics_processing_time" }} p ON p.month = m.month
ORDER BY m.which DESC
{{- end }}

{{ define "report_monthly" -}}
SELECT month, sum(requests) AS requests, sum(opt_outs) AS opt_outs, sum(opt_ins) AS opt_ins
FROM {{ rel "metrics_requests_monthly" }} GROUP BY month ORDER BY month
{{- end }}

{{ define "report_rate" -}}
-- Visitors add up over months; a customers denominator is the same every
-- month. A source with no denominator has no rate (NULL, shown as n/a).
WITH sources AS (
  SELECT traffic_source, sum(opt_outs) AS opt_outs,
    CASE WHEN any_value(denominator_kind) = 'customers' THEN max(denominator) ELSE sum(denominator) END AS denominator
  FROM {{ rel "metrics_optout_rate_by_source" }} GROUP BY traffic_source
)
SELECT traffic_source, opt_outs, denominator,
  CASE WHEN denominator > 0 THEN opt_outs / denominator END AS rate
FROM sources ORDER BY traffic_source
{{- end }}

{{ define "report_processing" -}}
SELECT month, requests, processed, avg_business_days, p50_business_days, p95_business_days,
  within_target, within_sla, breached, open, open_past_deadline
FROM {{ rel "metrics_processing_time" }} ORDER BY month
{{- end }}

{{ define "report_sync" -}}
SELECT export, destination, rows_in, rows_suppressed, dates_checked, dates_failed, failure_rate,
  CASE WHEN rows_in > 0 THEN rows_suppressed / rows_in END AS suppressed_share
FROM {{ rel "metrics_sync" }} ORDER BY export
{{- end }}

{{ define "report_categories" -}}
SELECT category AS label, sum(requests) AS requests FROM {{ rel "metrics_categories" }} GROUP BY category ORDER BY category
{{- end }}

{{ define "report_geography" -}}
SELECT state AS label, sum(requests) AS requests FROM {{ rel "metrics_geography" }} GROUP BY state ORDER BY state
{{- end }}

{{ define "report_open" -}}
-- The requests still open in the ledger, most urgent first (the earliest
-- deadline, so the ones past it lead; one without a deadline last), with
-- the calendar days left from .Today (the day of the ledger run's now) to
-- the day of the deadline, in the time zone: 0 is due today, negative is
-- overdue. At most 15 past the deadline and 15 still in time, so the
-- overdue never hide the ones that can still be met. NULLS LAST is said:
-- it is DuckDB's default and not BigQuery's.
WITH open_requests AS (
  SELECT request_id, received_at, deadline, coalesce(state, '') AS state, sla_status,
    {{ daysBetween (dateParam .Today) (civilDate "deadline" (param .TimeZone)) }} AS days_left,
    row_number() OVER (PARTITION BY sla_status ORDER BY deadline NULLS LAST, request_id) AS urgency
  FROM {{ rel "requests_ledger" }} WHERE sla_status IN ('open', 'open_breached')
)
SELECT request_id,
  CAST({{ civilDate "received_at" (param .TimeZone) }} AS STRING) AS received,
  CAST({{ civilDate "deadline" (param .TimeZone) }} AS STRING) AS deadline,
  days_left, state, sla_status
FROM open_requests
WHERE urgency <= 15
ORDER BY open_requests.deadline NULLS LAST, request_id
{{- end }}

{{ define "report_annual" -}}
SELECT year, received, complied, denied, pending, mean_days, median_days
FROM {{ rel "metrics_annual_disclosure" }} ORDER BY year
{{- end }}

{{ define "report_totals" -}}
-- Open requests over all months (processing_time), this run's third-party
-- notices (none when D published none), and the opt-ins within 12 months
-- of an opt-out.
SELECT
  (SELECT sum(open) + sum(open_past_deadline) FROM {{ rel "metrics_processing_time" }}) AS open,
  (SELECT sum(open_past_deadline) FROM {{ rel "metrics_processing_time" }}) AS open_past_deadline,
  (SELECT count(*) FROM {{ rel "metrics_reauthorizations" }}) AS reauthorizations,
  {{ if .Notices }}(SELECT count(*) FROM {{ rel "third_party_notifications" }}){{ else }}{{ cast "0" "int" }}{{ end }} AS notices
{{- end }}
