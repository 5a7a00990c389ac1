-- Write-back (SPEC §3.2): the flags of D's published customers_flagged
-- onto the customers table itself, after the publish; only rows whose
-- flags differ are touched, so a rerun of D changes nothing. On BigQuery
-- the update is one job, atomic by itself.
UPDATE {{ .Table }} AS c
SET ccpa_opt_out = f.ccpa_opt_out, opt_out_date = f.opt_out_date, opt_out_categories = f.opt_out_categories
FROM {{ template "write_back_flags" . }} AS f
WHERE c.{{ .IDColumn }} = f.{{ .IDColumn }}
  AND (c.ccpa_opt_out IS DISTINCT FROM f.ccpa_opt_out
    OR c.opt_out_date IS DISTINCT FROM f.opt_out_date
    OR {{ listDistinct "c.opt_out_categories" "f.opt_out_categories" }})
