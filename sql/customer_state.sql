-- The flags of each customer with a counted request (SPEC §5 rule 3):
-- ccpa_opt_out when any sale category is opted out; the opted-out categories
-- of any kind, sorted; opt_out_date the earliest over opted-out sale
-- categories; the deciding request of every covered category. Its
-- customers are all in customer_keys: flag_changes keeps only the
-- customers of customer_facts, which are taken from there.
SELECT subject AS customer_id,
  coalesce({{ boolOr (print "state = 'opt_out' AND " (inList "category" .SaleCategories)) }}, false) AS ccpa_opt_out,
  min(CASE WHEN state = 'opt_out' AND {{ inList "category" .SaleCategories }} THEN opt_out_date END) AS opt_out_date,
  coalesce({{ listAgg "category" "category" "state = 'opt_out'" }}, {{ emptyList "text[]" }}) AS opt_out_categories,
  {{ listAgg (struct "category" "category" "request_id" "deciding_request_id") "category" "" }} AS deciding_request_ids
FROM {{ tmp "customer_category_state" }}
GROUP BY subject
