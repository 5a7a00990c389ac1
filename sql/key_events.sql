{{ define "key_events" -}}
-- Rule 4 for a single key k (SPEC §5): the requests made on k, plus the
-- requests of every customer who has k among their keys.
SELECT DISTINCT kind, value, request_id FROM (
  SELECT kind, value, request_id FROM {{ tmp "request_keys" }}
  UNION ALL
  SELECT ck.kind, ck.value, m.request_id
  FROM {{ tmp "customer_keys" }} ck JOIN {{ tmp "customer_matches" }} m USING (customer_id)
)
{{- end }}
