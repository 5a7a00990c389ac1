{{ define "customer_rows" -}}
-- Every customer row with the value columns of its keys (its identifiers
-- and customer_id, SPEC §5; Plan.CustomerKeys), and its quarantine reason.
-- The keys stay flat columns, one per kind: customer_keys probes each
-- against the requests' keys, which needs no list of every customer's keys.
SELECT _file, _row,
  optout_id({{ col .Src "customer_id" "text" }}) AS customer_id,
  {{ .Keys.Columns }}
  optout_state({{ col .Src "state" "text" }}) AS state,
  nullif(optout_word({{ col .Src "traffic_source" "text" }}), '') AS traffic_source,
  {{ .Keys.Checks }}
  CASE WHEN optout_id({{ col .Src "customer_id" "text" }}) IS NULL THEN 'missing_customer_id' END AS reason
FROM {{ .Keys.From (rel .Src.View) }}
{{- end }}
