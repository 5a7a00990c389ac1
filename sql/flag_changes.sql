-- Customers whose flags differ from those of the run for the latest earlier
-- date (SPEC §6); a customer absent from a state has the default flags.
-- When snapshot retention has removed that date's optout_state (a rerun of
-- an old date, a backfill over a missed or late date), its state is read
-- from the feeds instead: every run's feed lists what changed since the
-- date before it, from the default flags of the first run on, so a
-- customer's flags on that date are those of their latest feed row before
-- D, and the default when no feed lists them. Comparing with nothing
-- listed every opted-out customer as newly opted out, and comparing with
-- a later state left a customer a late request opted out out of every
-- feed, so the CRM never learned of it.
WITH cur AS (
  SELECT customer_id, ccpa_opt_out, opt_out_date, opt_out_categories FROM {{ tmp "customer_state" }}
),
prev AS (
{{- if .HasPrevState }}
  SELECT CAST(customer_id AS STRING) AS customer_id, ccpa_opt_out, {{ cast "opt_out_date" "timestamp" }} AS opt_out_date, opt_out_categories FROM {{ rel "prev_optout_state" }}
{{- else if .HasPrevFeed }}
  SELECT customer_id, ccpa_opt_out, opt_out_date, opt_out_categories FROM (
    SELECT CAST(f.customer_id AS STRING) AS customer_id, f.new_ccpa_opt_out AS ccpa_opt_out,
      {{ cast "f.new_opt_out_date" "timestamp" }} AS opt_out_date, f.new_opt_out_categories AS opt_out_categories,
      row_number() OVER (PARTITION BY f.customer_id ORDER BY f.dt DESC) AS latest
    FROM {{ rel "prev_flag_changes" }} f
    WHERE {{ cast "f.dt" "date" }} < {{ dateParam .P.Date }}
  ) feeds
  WHERE latest = 1
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
