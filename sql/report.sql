{{/* The dashboard's queries (optout report) over the published metrics of
     D: views metrics_<table>, requests_ledger, third_party_notifications. */}}

{{ define "report_monthly" -}}
SELECT month, sum(requests) AS requests, sum(opt_outs) AS opt_outs, sum(opt_ins) AS opt_ins
FROM metrics_requests_monthly GROUP BY month ORDER BY month
{{- end }}

{{ define "report_rate" -}}
-- Visitors add up over months; a customers denominator is the same every month.
SELECT traffic_source, sum(opt_outs) AS opt_outs,
  CASE WHEN any_value(denominator_kind) = 'customers' THEN max(denominator) ELSE sum(denominator) END AS denominator
FROM metrics_optout_rate_by_source GROUP BY traffic_source ORDER BY traffic_source
{{- end }}

{{ define "report_processing" -}}
SELECT * FROM metrics_processing_time ORDER BY month
{{- end }}

{{ define "report_sync" -}}
SELECT * FROM metrics_sync ORDER BY export
{{- end }}

{{ define "report_categories" -}}
SELECT category AS label, sum(requests) AS requests FROM metrics_categories GROUP BY category ORDER BY category
{{- end }}

{{ define "report_geography" -}}
SELECT state AS label, sum(requests) AS requests FROM metrics_geography GROUP BY state ORDER BY state
{{- end }}

{{ define "report_actionable" -}}
SELECT request_id, strftime(received_at, '%Y-%m-%d %H:%M UTC') AS received,
  strftime(deadline, '%Y-%m-%d %H:%M UTC') AS deadline, coalesce(state, '') AS state, sla_status
FROM requests_ledger WHERE sla_status IN ('open', 'open_breached')
ORDER BY deadline, request_id LIMIT 50
{{- end }}

{{ define "report_annual" -}}
SELECT * FROM metrics_annual_disclosure ORDER BY year
{{- end }}

{{ define "report_totals" -}}
SELECT
  (SELECT sum(requests) FROM metrics_requests_monthly) AS requests,
  (SELECT sum(opt_outs) FROM metrics_requests_monthly) AS opt_outs,
  (SELECT sum(breached) FROM metrics_processing_time) AS breached,
  (SELECT sum(open_past_deadline) FROM metrics_processing_time) AS open_past_due,
  (SELECT avg(business_days) FROM requests_ledger) AS avg_business_days,
  (SELECT count(*) FROM metrics_reauthorizations) AS reauthorizations,
  (SELECT count(*) FROM third_party_notifications) AS notices
{{- end }}
