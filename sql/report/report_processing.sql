SELECT month, requests, processed, avg_business_days, p50_business_days, p95_business_days,
  within_target, within_sla, breached, open, open_past_deadline
FROM {{ rel "metrics_processing_time" }} ORDER BY month
