{{ define "key_category_state" -}}
-- The state of each key per category, as an export row carrying only that
-- key would have it (SPEC §5 rules 2 and 4).
WITH events AS (
  SELECT {{ struct "kind" "ke.kind" "value" "ke.value" }} AS subject, rc.request_id, rc.request_type, rc.received_at, rc.category
  FROM {{ tmp "key_events" }} ke JOIN {{ tmp "request_categories" }} rc USING (request_id)
)
{{ template "category_state_body" . }}
{{- end }}
