SELECT export, destination, rows_in, rows_suppressed, dates_checked, dates_failed, failure_rate,
  CASE WHEN rows_in > 0 THEN rows_suppressed / rows_in END AS suppressed_share
FROM {{ rel "metrics_sync" }} ORDER BY export
