-- Headline figures of the run for the summary line: opted-out customers per
-- category, and the total under category '*'.
SELECT category, count(*) AS customers
FROM {{ tmp "customer_category_state" }}
WHERE state = 'opt_out'
GROUP BY category
UNION ALL
SELECT '*', count(*) FROM {{ tmp "customer_state" }} WHERE ccpa_opt_out
