{{ define "request_keys" -}}
-- K(r): one row per key of each counted request (SPEC §5).
SELECT DISTINCT request_id, k.kind AS kind, k.value AS value
FROM (SELECT request_id, unnest(keys) AS k FROM {{ tmp "requests" }})
{{- end }}

{{ define "request_keys.bigquery" -}}
-- request_keys in GoogleSQL, which unnests only in FROM.
SELECT DISTINCT request_id, k.kind AS kind, k.value AS value
FROM {{ tmp "requests" }}, UNNEST(keys) AS k
{{- end }}
