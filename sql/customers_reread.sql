-- A table read in place (BigQuery's customers, Source.InPlace) is read
-- twice: by customer_rows, whose keys decide the flags, and by
-- customers_flagged, which writes the rows the flags go on. Another job
-- may change the table between the two. Both reads saw the same rows when
-- they hold the same (customer_id, keys) the same number of times: the
-- keys of each row customers_flagged wrote are computed again from it, as
-- customer_rows computed them. A row inserted, deleted or re-keyed in
-- between makes a difference, and the run fails before the publish,
-- since such a row would go out with flags computed from other keys, or
-- none.
WITH counted AS (
  SELECT {{ .Reread.First }} AS row_keys, 1 AS n
  FROM {{ tmp "customer_rows" }}
  WHERE customer_id IS NOT NULL
  UNION ALL
  SELECT {{ .Reread.Second }} AS row_keys, -1 AS n
  FROM {{ .Keys.From (rel .WrittenView) }}
)
SELECT count(*) AS differing FROM (
  SELECT row_keys FROM counted GROUP BY row_keys HAVING sum(n) <> 0
) changed
