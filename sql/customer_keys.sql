{{ define "customer_keys" -}}
-- K(c): every key of every customer — its identifiers, customer_id and its
-- identity links (SPEC §5). Links of unknown customers add nothing.
SELECT customer_id, k.kind AS kind, k.value AS value
FROM {{ unnestRows (tmp "customer_rows") "keys" "k" "reason IS NULL" }}
{{- if .HasLinks }}
{{ unionDistinct }}
SELECT customer_id, k.kind, k.value
FROM {{ unnestRows (tmp "link_rows") "keys" "k" (print "reason IS NULL AND customer_id IN (SELECT customer_id FROM " (tmp "customer_rows") " WHERE reason IS NULL)") }}
{{- end }}
{{- end }}
