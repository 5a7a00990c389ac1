SELECT month, sum(requests) AS requests, sum(opt_outs) AS opt_outs, sum(opt_ins) AS opt_ins
FROM {{ rel "metrics_requests_monthly" }} GROUP BY month ORDER BY month
