-- SPEC §3.2: one row per customer_id; a duplicate fails validation.
SELECT count(*) AS duplicate_ids, min(customer_id) AS example
FROM (SELECT customer_id FROM {{ tmp "customer_rows" }} WHERE reason IS NULL GROUP BY customer_id HAVING count(*) > 1)
