-- Every usable customer row and column, in order, plus the three flags
-- (SPEC §6). Rows without a customer_id are quarantined (quarantine_customers).
-- Flag columns the input already has (a written-back table) are replaced.
SELECT c.* {{ except }} ({{ .Exclude }}),
  coalesce(s.ccpa_opt_out, false) AS ccpa_opt_out,
  s.opt_out_date AS opt_out_date,
  coalesce(s.opt_out_categories, {{ emptyList "text[]" }}) AS opt_out_categories
-- The customer_id is normalized once a row, for the filter and the join.
FROM (SELECT *, optout_id({{ qcol "src" .Src "customer_id" "text" }}) AS _optout_id FROM {{ rel .Src.View }} src) AS c
LEFT JOIN {{ tmp "customer_state" }} s ON s.customer_id = c._optout_id
WHERE c._optout_id IS NOT NULL
