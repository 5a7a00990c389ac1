-- One row per category a counted request covers; `all` covers the four sale
-- categories (SPEC §2, §5 rule 2). ord is the request's place in rule 2's
-- order (received_at, then opt_in before opt_out: opt_out wins a tie, then
-- request_id), numbered 1..n: the latest of any set of covering requests
-- is the one of greatest ord, and the latest of a union is the latest of
-- its parts' latest (key_category_state, export_row_state).
SELECT request_id, request_type, received_at, category, ord
FROM (
  SELECT request_id, request_type, received_at, ord,
    unnest(list_distinct(flatten(list_transform(categories,
      c -> CASE WHEN c = 'all' THEN {{ .SaleCategories }} ELSE [c] END)))) AS category
  FROM (SELECT *, {{ template "request_order" }} AS ord FROM {{ tmp "requests" }})
)
