SELECT year, received, complied, denied, pending, mean_days, median_days
FROM {{ rel "metrics_annual_disclosure" }} ORDER BY year
