-- The usable customers per traffic source: the denominators of
-- metrics_optout_rate_by_source when there is no traffic input.
SELECT coalesce(traffic_source, 'unknown') AS traffic_source, count(*) AS customers
FROM {{ tmp "customer_rows" }} WHERE reason IS NULL
GROUP BY 1
