-- Per month, how many requests chose each category (as chosen: `all` is
-- one choice), and their share of the month's requests.
WITH chosen AS (
  SELECT {{ dateMonth "received_day" }} AS month, request_id, category
  FROM {{ unnestRows (tmp "current_requests") (sortedSet "categories") "category" "" }}
),
months AS (
  SELECT {{ dateMonth "received_day" }} AS month, count(*) AS total
  FROM {{ tmp "current_requests" }} GROUP BY 1
)
SELECT c.month, c.category, count(*) AS requests, {{ roundRatio "count(*) / m.total" }} AS share
FROM chosen c JOIN months m USING (month)
GROUP BY c.month, c.category, m.total
ORDER BY c.month, c.category
