{{ define "key_events" -}}
-- Rule 4 for a single key k (SPEC §5): the requests made on k, plus the
-- requests of every customer who has k among their keys. via_customer
-- says whether some customer with k has the request in R(c): an export
-- row's drop reason (export_decisions) names how its deciding request
-- reached it.
SELECT kind, value, request_id, {{ boolOr "via_customer" }} AS via_customer FROM (
  SELECT kind, value, request_id, false AS via_customer FROM {{ tmp "request_keys" }}
  UNION ALL
  SELECT ck.kind, ck.value, m.request_id, true
  FROM {{ tmp "customer_keys" }} ck JOIN {{ tmp "customer_matches" }} m USING (customer_id)
)
GROUP BY kind, value, request_id
{{- end }}
