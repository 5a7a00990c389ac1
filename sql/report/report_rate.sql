-- Visitors add up over months; a customers denominator is the same every
-- month. A source with no denominator has no rate (NULL, shown as n/a).
-- The rate divides only the opt-outs of the months that have a
-- denominator: a month without traffic figures has opt-outs and no
-- visitors, and counting them over the other months' visitors made the
-- rate too high. opt_outs is every month's, as the table shows them.
WITH sources AS (
  SELECT traffic_source, sum(opt_outs) AS opt_outs,
    sum(CASE WHEN denominator IS NOT NULL THEN opt_outs END) AS rated_opt_outs,
    CASE WHEN any_value(denominator_kind) = 'customers' THEN max(denominator) ELSE sum(denominator) END AS denominator
  FROM {{ rel "metrics_optout_rate_by_source" }} GROUP BY traffic_source
)
SELECT traffic_source, opt_outs, denominator,
  CASE WHEN denominator > 0 THEN rated_opt_outs / denominator END AS rate
FROM sources ORDER BY traffic_source
