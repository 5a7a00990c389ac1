{{ define "request_keys" -}}
-- K(r): one row per key of each counted request (SPEC §5).
SELECT DISTINCT request_id, k.kind AS kind, k.value AS value
FROM (SELECT request_id, unnest(keys) AS k FROM {{ tmp "requests" }})
{{- end }}
