-- SPEC §3.2: one row per customer_id; a duplicate fails validation. The
-- error names the files of one duplicated id, never the id (SPEC §7: no
-- value in an error). With no duplicate, `example` is empty and the join
-- that finds its files ends at once.
WITH dup AS (
  SELECT customer_id FROM {{ tmp "customer_rows" }} WHERE reason IS NULL GROUP BY customer_id HAVING count(*) > 1
),
example AS (
  SELECT customer_id FROM dup ORDER BY customer_id LIMIT 1
),
files AS (
  SELECT min(r._file) AS example_first_file, max(r._file) AS example_last_file
  FROM {{ tmp "customer_rows" }} r JOIN example e ON e.customer_id = r.customer_id
  WHERE r.reason IS NULL
)
SELECT (SELECT count(*) FROM dup) AS duplicate_ids, example_first_file, example_last_file FROM files
