-- Every customer row with the value columns of its keys (its identifiers
-- and customer_id, SPEC §5; Plan.CustomerKeys), and its quarantine reason.
-- The keys stay flat columns, one per kind: customer_keys probes each
-- against the requests' keys, which needs no list of every customer's keys.
-- The customer_id key is kept once, as customer_id; it identifies the row
-- (customer_duplicates), so no row id is kept.
SELECT _file,
  {{ .Keys.Col "customer_id" }} AS customer_id,
  {{ .Keys.ColumnsExcept "customer_id" }}
{{- /* Kept only for the steps that read them: a column of every customer
  costs ~160 MB at 10M customers. */}}
{{- if .StateSLA }}
  optout_state({{ col .Src "state" "text" }}) AS state, -- the ledger's SLA overrides (customer_facts)
{{- end }}
{{- if not .Traffic }}
  nullif(optout_word({{ col .Src "traffic_source" "text" }}), '') AS traffic_source, -- customer_sources
{{- end }}
  {{ .Keys.Checks }}
{{- $from := rel .Src.View }}
{{- if .Src.InPlace }}
{{- /* Read in place (BigQuery's customers): a quarantined row's columns
  ride along as one value, so that quarantine_customers finds them here
  instead of reading the table a third time. */}}
{{- $from = print "(SELECT src.*, IF(optout_id(" (qcol "src" .Src "customer_id" "text") ") IS NULL, src, NULL) AS _quarantined FROM " $from " src)" }}
  _quarantined,
{{- end }}
  {{ rowReason (print (.Keys.Col "customer_id") " IS NULL") "missing_customer_id" }} AS reason
FROM {{ .Keys.From $from }}
