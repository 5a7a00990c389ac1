-- The month of D and the month before, by month of receipt (the months of
-- the metrics: civil ones in the time zone): requests received (all of
-- them, as requests_monthly counts), and of the ones to act on
-- (processing_time) how many were completed, completed within their SLA,
-- the median business days to complete them, and how many breached it
-- (enforced late, or open past the deadline). A month without requests has
-- zeros and no share or median.
WITH months AS (
  SELECT 'this' AS which, {{ dateMonth (dateParam .Date) }} AS month
  UNION ALL
  SELECT 'last' AS which, {{ dateMonth (dateParam .LastMonth) }} AS month
),
received AS (SELECT month, sum(requests) AS received FROM {{ rel "metrics_requests_monthly" }} GROUP BY month)
SELECT m.which, m.month,
  coalesce(r.received, 0) AS received,
  coalesce(p.processed, 0) AS completed,
  coalesce(p.within_sla, 0) AS within_sla,
  CASE WHEN p.processed > 0 THEN p.within_sla / p.processed END AS within_sla_share,
  p.p50_business_days AS median_business_days,
  coalesce(p.breached, 0) + coalesce(p.open_past_deadline, 0) AS breached
FROM months m
LEFT JOIN received r ON r.month = m.month
LEFT JOIN {{ rel "metrics_processing_time" }} p ON p.month = m.month
ORDER BY m.which DESC
