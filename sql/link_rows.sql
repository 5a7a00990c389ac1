{{ define "link_rows" -}}
-- Every identity link row with the keys it adds to its customer (SPEC §3.3).
SELECT _file, _row,
  optout_id({{ .Src.Col "customer_id" "VARCHAR" }}) AS customer_id,
  {{ .Keys }} AS keys,
  {{ .Invalid }} AS invalid_identifiers,
  CASE WHEN optout_id({{ .Src.Col "customer_id" "VARCHAR" }}) IS NULL THEN 'missing_customer_id'
       WHEN len({{ .Keys }}) = 0 THEN 'no_valid_key' END AS reason
FROM {{ .Src.View }}
{{- end }}
