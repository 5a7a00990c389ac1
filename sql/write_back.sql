{{/* Write-back (SPEC §3.2): the flags of D's published customers_flagged
     onto the customers table itself, inside one transaction the job
     opens; only rows whose flags differ are touched, so a rerun of D
     changes nothing. */}}

{{ define "write_back_columns" -}}
ALTER TABLE {{ .Table }} ADD COLUMN IF NOT EXISTS ccpa_opt_out BOOLEAN DEFAULT false;
ALTER TABLE {{ .Table }} ADD COLUMN IF NOT EXISTS opt_out_date TIMESTAMPTZ;
ALTER TABLE {{ .Table }} ADD COLUMN IF NOT EXISTS opt_out_categories VARCHAR[] DEFAULT CAST([] AS VARCHAR[]);
{{- end }}

{{ define "write_back_update" -}}
UPDATE {{ .Table }} AS c
SET ccpa_opt_out = f.ccpa_opt_out, opt_out_date = f.opt_out_date, opt_out_categories = f.opt_out_categories
FROM read_parquet({{ param .Flagged }}) AS f
WHERE c.{{ .IDColumn }} = f.{{ .IDColumn }}
  AND (c.ccpa_opt_out IS DISTINCT FROM f.ccpa_opt_out
    OR c.opt_out_date IS DISTINCT FROM f.opt_out_date
    OR c.opt_out_categories IS DISTINCT FROM f.opt_out_categories)
{{- end }}
