-- Requests per month and state, their share of the month, and whether the
-- state is California.
WITH by_state AS (
  SELECT {{ dateMonth "received_day" }} AS month,
    coalesce(state, 'unknown') AS state, count(*) AS requests
  FROM {{ tmp "current_requests" }} GROUP BY 1, 2
)
SELECT month, state, requests, {{ roundRatio "requests / sum(requests) OVER (PARTITION BY month)" }} AS share,
  state = 'CA' AS is_california
FROM by_state
ORDER BY month, state
