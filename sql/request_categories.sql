-- One row per category a counted request covers; `all` covers the four sale
-- categories (SPEC §2, §5 rule 2). ord is the request's place in rule 2's
-- order (received_at, then opt_in before opt_out: opt_out wins a tie, then
-- request_id), numbered 1..n: the latest of any set of covering requests
-- is the one of greatest ord, and the latest of a union is the latest of
-- its parts' latest (key_category_state, export_row_state).
-- The order is numbered over the columns it reads and joined back by
-- request_id (one row a request): a window over the whole rows sorted
-- their lists of categories and keys too, on one thread (1.2 s of CPU at
-- 1M requests, about twice this way's).
WITH numbered AS (
  SELECT request_id, {{ template "request_order" }} AS ord FROM {{ template "counted_requests" }} q
)
SELECT request_id, request_type, received_at, category, ord
FROM (
  SELECT r.request_id, r.request_type, r.received_at, n.ord,
    unnest(CASE WHEN NOT list_contains(r.categories, 'all') THEN list_distinct(r.categories)
                ELSE list_distinct(list_concat({{ .SaleCategories }}, list_filter(r.categories, c -> c <> 'all'))) END) AS category
  FROM {{ template "counted_requests" }} r JOIN numbered n USING (request_id)
)
