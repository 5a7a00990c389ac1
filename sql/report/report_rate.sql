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
