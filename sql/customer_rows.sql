{{ define "customer_rows" -}}
-- Every customer row with its keys (its identifiers and customer_id, SPEC
-- §5) and its quarantine reason.
SELECT _file, _row,
  optout_id({{ col .Src "customer_id" "text" }}) AS customer_id,
  {{ .Keys.List }} AS keys,
  optout_state({{ col .Src "state" "text" }}) AS state,
  nullif(optout_word({{ col .Src "traffic_source" "text" }}), '') AS traffic_source,
  {{ .Keys.Checks }}
  CASE WHEN optout_id({{ col .Src "customer_id" "text" }}) IS NULL THEN 'missing_customer_id' END AS reason
FROM {{ .Keys.From (rel .Src.View) }}
{{- end }}
