{{ define "customer_state" -}}
-- The flags of each customer with a counted request (SPEC §5 rule 3):
-- ccpa_opt_out when any sale category is opted out; the opted-out categories
-- of any kind, sorted; opt_out_date the earliest over opted-out sale
-- categories; the deciding request of every covered category.
SELECT subject AS customer_id,
  coalesce(bool_or(state = 'opt_out' AND list_contains({{ .SaleCategories }}, category)), false) AS ccpa_opt_out,
  min(opt_out_date) FILTER (WHERE state = 'opt_out' AND list_contains({{ .SaleCategories }}, category)) AS opt_out_date,
  coalesce(list(category ORDER BY category) FILTER (WHERE state = 'opt_out'), CAST([] AS VARCHAR[])) AS opt_out_categories,
  list({'category': category, 'request_id': deciding_request_id} ORDER BY category) AS deciding_request_ids
FROM {{ tmp "customer_category_state" }}
GROUP BY subject
{{- end }}
