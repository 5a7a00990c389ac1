SELECT category AS label, sum(requests) AS requests FROM {{ rel "metrics_categories" }} GROUP BY category ORDER BY category
