{{ define "customers_flagged" -}}
-- Every usable customer row and column, in order, plus the three flags
-- (SPEC §6). Rows without a customer_id are quarantined by customer_rows.
-- Flag columns the input already has (a written-back table) are replaced.
SELECT c.* {{ except }} ({{ .Exclude }}),
  coalesce(s.ccpa_opt_out, false) AS ccpa_opt_out,
  s.opt_out_date AS opt_out_date,
  coalesce(s.opt_out_categories, {{ emptyList "text[]" }}) AS opt_out_categories
FROM {{ rel .Src.View }} c
LEFT JOIN {{ tmp "customer_state" }} s ON s.customer_id = optout_id({{ qcol "c" .Src "customer_id" "text" }})
WHERE optout_id({{ qcol "c" .Src "customer_id" "text" }}) IS NOT NULL
{{- end }}
