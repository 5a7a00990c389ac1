-- On BigQuery, one row per export a run publishes (its leak check passed),
-- written last in the publish transaction: downstream jobs wait for it as
-- they wait for _SUCCESS next to the files on DuckDB. published_at is the
-- now of the first run that published the export's date, which a rerun
-- keeps (third-party notifications count only exports published before a
-- request was enforced). published_as records how the file was written
-- (destination, category, channel, hash_identifiers, identifiers as JSON):
-- later runs read the export's history through it, not today's config.
{{ range $i, $m := .Exports }}{{ if $i }}
UNION ALL
{{ end }}SELECT CAST({{ param $m.Export }} AS STRING) AS export, CAST({{ param $m.As.Destination }} AS STRING) AS destination, CAST({{ param $.RunID }} AS STRING) AS run_id, {{ cast (param $m.PublishedAt) "timestamp" }} AS published_at, CAST({{ param $m.Rows }} AS INT64) AS rows_published, CAST({{ param $m.AsJSON }} AS STRING) AS published_as
{{- end }}
