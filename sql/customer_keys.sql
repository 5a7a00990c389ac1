{{ define "customer_keys" -}}
-- K(c): every key of every customer — its identifiers, customer_id and its
-- identity links (SPEC §5). Links of unknown customers add nothing.
SELECT customer_id, k.kind AS kind, k.value AS value
FROM (SELECT customer_id, unnest(keys) AS k FROM {{ tmp "customer_rows" }} WHERE reason IS NULL)
{{- if .HasLinks }}
UNION
SELECT customer_id, k.kind, k.value
FROM (SELECT customer_id, unnest(keys) AS k FROM {{ tmp "link_rows" }} l
      WHERE reason IS NULL AND customer_id IN (SELECT customer_id FROM {{ tmp "customer_rows" }} WHERE reason IS NULL))
{{- end }}
{{- end }}

{{ define "customer_keys.bigquery" -}}
-- customer_keys in GoogleSQL, which unnests only in FROM.
SELECT customer_id, k.kind AS kind, k.value AS value
FROM {{ tmp "customer_rows" }}, UNNEST(keys) AS k
WHERE reason IS NULL
{{- if .HasLinks }}
UNION DISTINCT
SELECT l.customer_id, k.kind, k.value
FROM {{ tmp "link_rows" }} l, UNNEST(l.keys) AS k
WHERE l.reason IS NULL AND l.customer_id IN (SELECT customer_id FROM {{ tmp "customer_rows" }} WHERE reason IS NULL)
{{- end }}
{{- end }}
