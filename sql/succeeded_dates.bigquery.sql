-- succeeded_dates in GoogleSQL (every runs table has `provisional`).
SELECT DISTINCT FORMAT_DATE('%Y-%m-%d', dt) AS dt
FROM {{ rel "succeeded_runs" }}
WHERE status = 'succeeded' AND NOT COALESCE(provisional, FALSE)
