{{ define "customer_keys" -}}
-- K(c): every key of every customer — its identifiers, customer_id and its
-- identity links (SPEC §5). Links of unknown customers add nothing.
-- A customer's own keys are already distinct (one per identifier kind, and
-- customer_id is unique: customer_duplicates fails the run otherwise), so
-- only the keys its links add are de-duplicated: a UNION of every key cost
-- a hash of all of them (3× the time at 1M customers).
SELECT customer_id, k.kind AS kind, k.value AS value
FROM {{ unnestRows (tmp "customer_rows") "keys" "k" "reason IS NULL" }}
{{- if .HasLinks }}
UNION ALL
SELECT DISTINCT l.customer_id, l.k.kind, l.k.value
FROM {{ unnestRows (tmp "link_rows") "keys" "k" "reason IS NULL" }} AS l
JOIN {{ tmp "customer_rows" }} AS c ON c.customer_id = l.customer_id AND c.reason IS NULL
WHERE NOT {{ listAny "c.keys" "ck" "ck.kind = l.k.kind AND ck.value = l.k.value" }}
{{- end }}
{{- end }}
