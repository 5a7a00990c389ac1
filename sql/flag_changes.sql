-- Customers whose flags differ from those of the run for the latest earlier
-- date (SPEC §6); a customer absent from a state has the default flags.
-- When snapshot retention has removed every earlier state although earlier
-- dates ran (a rerun of an old date), the feed an earlier run of D
-- published stands in for it: its customers' old flags, and every other
-- customer's flags as they are now. So a rerun gives the same feed,
-- instead of listing every opted-out customer as newly opted out, which a
-- CRM sync would act on again.
WITH cur AS (
  SELECT customer_id, ccpa_opt_out, opt_out_date, opt_out_categories FROM {{ tmp "customer_state" }}
),
prev AS (
{{- if .HasPrevState }}
  SELECT CAST(customer_id AS STRING) AS customer_id, ccpa_opt_out, {{ cast "opt_out_date" "timestamp" }} AS opt_out_date, opt_out_categories FROM {{ rel "prev_optout_state" }}
{{- else if .HasPrevFeed }}
  SELECT CAST(f.customer_id AS STRING) AS customer_id, f.old_ccpa_opt_out AS ccpa_opt_out,
    {{ cast "f.old_opt_out_date" "timestamp" }} AS opt_out_date, f.old_opt_out_categories AS opt_out_categories
  FROM {{ rel "prev_flag_changes" }} f
  UNION ALL
  SELECT c.* FROM cur c
  LEFT JOIN {{ rel "prev_flag_changes" }} f ON CAST(f.customer_id AS STRING) = c.customer_id
  WHERE f.customer_id IS NULL
{{- else }}
  SELECT * FROM cur WHERE false
{{- end }}
),
both_sides AS (
  SELECT coalesce(n.customer_id, p.customer_id) AS customer_id,
    coalesce(p.ccpa_opt_out, false) AS old_ccpa_opt_out,
    p.opt_out_date AS old_opt_out_date,
    coalesce(p.opt_out_categories, {{ emptyList "text[]" }}) AS old_opt_out_categories,
    coalesce(n.ccpa_opt_out, false) AS new_ccpa_opt_out,
    n.opt_out_date AS new_opt_out_date,
    coalesce(n.opt_out_categories, {{ emptyList "text[]" }}) AS new_opt_out_categories
  FROM cur n FULL OUTER JOIN prev p ON p.customer_id = n.customer_id
)
SELECT * FROM both_sides
WHERE customer_id IN (SELECT customer_id FROM {{ tmp "customer_facts" }})
  AND (old_ccpa_opt_out <> new_ccpa_opt_out
       OR old_opt_out_date IS DISTINCT FROM new_opt_out_date
       OR {{ listsDiffer "old_opt_out_categories" "new_opt_out_categories" }})
