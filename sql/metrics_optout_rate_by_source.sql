-- Opt-outs per month and traffic source over the visitors of that source in
-- that month ({{ if .Traffic }}traffic input{{ else }}no traffic input: the customers of that traffic source{{ end }}).
WITH outs AS (
  SELECT {{ dateMonth "received_day" }} AS month,
    coalesce(traffic_source, 'unknown') AS traffic_source, count(*) AS opt_outs
  FROM {{ tmp "current_requests" }} WHERE request_type = 'opt_out'
  GROUP BY 1, 2
),
{{- if .Traffic }}
denominators AS (
  SELECT {{ dateMonth "date" }} AS month, traffic_source, CAST(sum(visitors) AS INT64) AS denominator, 'visitors' AS denominator_kind
  -- The days up to D: a later day's visitors are a later date's (SPEC §2).
  FROM {{ tmp "traffic_rows" }} WHERE reason IS NULL AND date <= {{ dateParam .P.Date }}
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
