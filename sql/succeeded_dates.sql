{{/* The dates the published runs rows (relation succeeded_runs) hold a
     successful run for that was not provisional: a backfill skips them. */}}

{{ define "succeeded_dates" -}}
-- Runs rows written before `provisional` existed lack the column.
SELECT DISTINCT strftime(dt, '%Y-%m-%d') AS dt
FROM (SELECT * FROM {{ rel "succeeded_runs" }} UNION ALL BY NAME SELECT NULL::BOOLEAN AS provisional WHERE false)
WHERE status = 'succeeded' AND NOT coalesce(provisional, false)
{{- end }}

{{ define "succeeded_dates.bigquery" -}}
SELECT DISTINCT FORMAT_DATE('%Y-%m-%d', dt) AS dt
FROM {{ rel "succeeded_runs" }}
WHERE status = 'succeeded' AND NOT COALESCE(provisional, FALSE)
{{- end }}
