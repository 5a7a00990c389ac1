{{ define "traffic_rows" -}}
-- Every traffic row (SPEC §3.4) with its quarantine reason.
SELECT _file, _row, CAST({{ .Src.Col "date" "DATE" }} AS DATE) AS date,
  nullif(optout_word({{ .Src.Col "traffic_source" "VARCHAR" }}), '') AS traffic_source,
  CAST({{ .Src.Col "visitors" "BIGINT" }} AS BIGINT) AS visitors,
  0 AS invalid_identifiers,
  CASE WHEN {{ .Src.Col "date" "DATE" }} IS NULL THEN 'missing_date'
       WHEN nullif(optout_word({{ .Src.Col "traffic_source" "VARCHAR" }}), '') IS NULL THEN 'missing_traffic_source'
       WHEN {{ .Src.Col "visitors" "BIGINT" }} IS NULL OR {{ .Src.Col "visitors" "BIGINT" }} < 0 THEN 'bad_visitors' END AS reason
FROM {{ .Src.View }}
{{- end }}
