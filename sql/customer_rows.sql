{{ define "customer_rows" -}}
-- Every customer row with its keys (its identifiers and customer_id, SPEC
-- §5) and its quarantine reason.
SELECT _file, _row,
  optout_id({{ .Src.Col "customer_id" "VARCHAR" }}) AS customer_id,
  {{ .Keys }} AS keys,
  optout_state({{ .Src.Col "state" "VARCHAR" }}) AS state,
  nullif(optout_word({{ .Src.Col "traffic_source" "VARCHAR" }}), '') AS traffic_source,
  {{ .Invalid }} AS invalid_identifiers,
  CASE WHEN optout_id({{ .Src.Col "customer_id" "VARCHAR" }}) IS NULL THEN 'missing_customer_id' END AS reason
FROM {{ .Src.View }}
{{- end }}
