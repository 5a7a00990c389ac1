{{ define "request_categories" -}}
-- One row per category a counted request covers; `all` covers the four sale
-- categories (SPEC §2, §5 rule 2). ord is the request's place in rule 2's
-- order as sortable text (received_at, then opt_in before opt_out: opt_out
-- wins a tie, then request_id): the latest covering request is max(ord).
SELECT request_id, request_type, received_at, category,
  {{ requestOrder "received_at" "request_type" "request_id" }} AS ord
FROM (
  SELECT request_id, request_type, received_at,
    unnest(list_distinct(flatten(list_transform(categories,
      c -> CASE WHEN c = 'all' THEN {{ .SaleCategories }} ELSE [c] END)))) AS category
  FROM {{ tmp "requests" }}
)
{{- end }}

{{ define "request_categories.bigquery" -}}
-- request_categories in GoogleSQL, which unnests only in FROM; requests has
-- one row per request, so DISTINCT dedupes within each request as above.
SELECT DISTINCT request_id, request_type, received_at, category,
  {{ requestOrder "received_at" "request_type" "request_id" }} AS ord
FROM {{ tmp "requests" }}, UNNEST(categories) AS c,
  UNNEST(IF(c = 'all', {{ .SaleCategories }}, [c])) AS category
{{- end }}
