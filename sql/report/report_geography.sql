SELECT state AS label, sum(requests) AS requests FROM {{ rel "metrics_geography" }} GROUP BY state ORDER BY state
