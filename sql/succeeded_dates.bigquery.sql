-- succeeded_dates in GoogleSQL (every runs table has `provisional`).
SELECT FORMAT_DATE('%Y-%m-%d', dt) AS dt, LOGICAL_OR(NOT COALESCE(provisional, FALSE)) AS final
FROM {{ rel "prev_runs" }}
WHERE status = 'succeeded'
GROUP BY dt
