{{/* Write-back (SPEC §3.2): the flags of D's published customers_flagged
     onto the customers table itself, after the publish; only rows whose
     flags differ are touched, so a rerun of D changes nothing. DuckDB runs
     both steps inside one transaction the job opens; on BigQuery each is
     one job, and the update is atomic by itself. */}}

{{ define "write_back_columns" -}}
ALTER TABLE {{ .Table }} ADD COLUMN IF NOT EXISTS ccpa_opt_out BOOLEAN DEFAULT false;
ALTER TABLE {{ .Table }} ADD COLUMN IF NOT EXISTS opt_out_date TIMESTAMPTZ;
ALTER TABLE {{ .Table }} ADD COLUMN IF NOT EXISTS opt_out_categories VARCHAR[] DEFAULT CAST([] AS VARCHAR[]);
{{- end }}

{{ define "write_back_columns.bigquery" -}}
-- One statement, so the three columns come together or not at all (DDL
-- cannot join a BigQuery transaction). No DEFAULT: BigQuery adds a column
-- to an existing table empty (NULL; an ARRAY reads as []), and the update
-- below writes every matched row whose flags differ from that.
ALTER TABLE {{ .Table }}
  ADD COLUMN IF NOT EXISTS ccpa_opt_out {{ type "bool" }},
  ADD COLUMN IF NOT EXISTS opt_out_date {{ type "timestamp" }},
  ADD COLUMN IF NOT EXISTS opt_out_categories {{ type "text[]" }}
{{- end }}

{{ define "write_back_update" -}}
UPDATE {{ .Table }} AS c
SET ccpa_opt_out = f.ccpa_opt_out, opt_out_date = f.opt_out_date, opt_out_categories = f.opt_out_categories
FROM {{ template "write_back_flags" . }} AS f
WHERE c.{{ .IDColumn }} = f.{{ .IDColumn }}
  AND (c.ccpa_opt_out IS DISTINCT FROM f.ccpa_opt_out
    OR c.opt_out_date IS DISTINCT FROM f.opt_out_date
    OR {{ listDistinct "c.opt_out_categories" "f.opt_out_categories" }})
{{- end }}

{{/* D's flags: the published file on DuckDB, D's partition of the output
     table on BigQuery. */}}
{{ define "write_back_flags" -}}
{{ if .FlaggedTable -}}
(SELECT {{ .IDColumn }}, ccpa_opt_out, opt_out_date, opt_out_categories FROM {{ .FlaggedTable }} WHERE dt = {{ dateParam .Date }})
{{- else -}}
read_parquet({{ param .FlaggedFile }})
{{- end }}
{{- end }}
