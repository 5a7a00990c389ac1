-- request_categories in GoogleSQL, which unnests only in FROM; the counted
-- requests have one row per request, so DISTINCT dedupes within each
-- request as above.
SELECT DISTINCT request_id, request_type, received_at, category, ord
FROM (SELECT *, {{ template "request_order" }} AS ord FROM {{ template "counted_requests" }} q) r,
  UNNEST(categories) AS c,
  UNNEST(IF(c = 'all', {{ .SaleCategories }}, [c])) AS category
