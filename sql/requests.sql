{{ define "requests" -}}
-- The counted requests as of D (SPEC §3.1, §5 rule 1): each request's
-- current row — greatest updated_at, then greater file path, then later row —
-- among its usable rows; rejected never counts, pending unless
-- policy.apply_pending is false.
SELECT request_id, received_at, request_type, categories, status, source, traffic_source, state, keys
FROM (
{{- range $i, $s := .Requests }}
  {{ if $i }}UNION ALL {{ end }}SELECT * FROM {{ tmp (print "request_rows__" $s.Name) }} WHERE reason IS NULL AND NOT later
{{- end }}
)
QUALIFY row_number() OVER (PARTITION BY request_id ORDER BY updated_at DESC, _file DESC, _row DESC) = 1
  AND status <> 'rejected'
  AND (status <> 'pending' OR {{ param .P.ApplyPending }})
{{- end }}
