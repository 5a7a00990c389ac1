{{/* optout explain: one person as of D, over the temp tables of a run for D
     that wrote nothing. The subject is the identifier typed, normalized
     as every input is; its keys are explain_keys. */}}

{{ define "explain_keys" -}}
SELECT DISTINCT k.kind AS kind, k.value AS value
FROM (SELECT unnest({{ .Keys.List }}) AS k FROM {{ .Keys.From (print "(SELECT CAST(" (param .Subject) " AS VARCHAR) AS v)") }})
{{- end }}

{{ define "explain_customers" -}}
-- C(x): the customers sharing a key with the subject.
SELECT DISTINCT ck.customer_id, string_agg(DISTINCT ck.kind, ', ' ORDER BY ck.kind) AS through
FROM {{ tmp "customer_keys" }} ck JOIN {{ tmp "explain_keys" }} x ON x.kind = ck.kind AND x.value = ck.value
GROUP BY ck.customer_id ORDER BY ck.customer_id
{{- end }}

{{ define "explain_requests" -}}
-- R(x): the counted requests on the subject's keys, and those of its customers (SPEC §5 rule 4).
WITH hits AS (
  SELECT rk.request_id, 'own key (' || rk.kind || ')' AS via
  FROM {{ tmp "request_keys" }} rk JOIN {{ tmp "explain_keys" }} x ON x.kind = rk.kind AND x.value = rk.value
  UNION
  SELECT m.request_id, 'customer ' || m.customer_id
  FROM {{ tmp "customer_matches" }} m JOIN {{ tmp "explain_customers" }} c USING (customer_id)
)
SELECT r.request_id, r.received_at, r.request_type, array_to_string(r.categories, ',') AS categories, r.status, r.source,
  string_agg(DISTINCT h.via, '; ' ORDER BY h.via) AS via
FROM {{ tmp "requests" }} r JOIN hits h USING (request_id)
GROUP BY ALL ORDER BY r.received_at, r.request_id
{{- end }}

{{ define "explain_state" -}}
WITH events AS (
  SELECT 'subject' AS subject, rc.request_id, rc.request_type, rc.received_at, rc.category
  FROM {{ tmp "request_categories" }} rc JOIN (SELECT DISTINCT request_id FROM {{ tmp "explain_requests" }}) e USING (request_id)
)
{{ template "category_state_body" . }}
ORDER BY category
{{- end }}

{{ define "explain_exports" -}}
-- Each export row carrying one of the person's keys (the subject's own or
-- those of its matched customers), what the run decided, and why: the
-- row's own state per category of the export, from its whole R(x), with
-- the deciding request (which may differ from the subject's state above:
-- the row's other keys bring their requests too).
WITH person_keys AS (
  SELECT kind, value FROM {{ tmp "explain_keys" }}
  UNION
  SELECT ck.kind, ck.value FROM {{ tmp "customer_keys" }} ck JOIN {{ tmp "explain_customers" }} c USING (customer_id)
)
{{- range $i, $e := .Exports }}
{{ if $i }}UNION ALL
{{ end -}}
SELECT {{ param $e.Name }} AS export, r._file AS file, r._row AS row,
  CASE WHEN r.reason IS NOT NULL THEN 'quarantined: ' || r.reason
       WHEN d.reason IS NOT NULL THEN 'suppressed: ' || d.reason
       ELSE {{ param $e.KeptReason }} END AS decision,
  CASE WHEN r.reason IS NULL THEN {{ param $e.Category }} || '=' || coalesce(c.state || ' by ' || c.deciding_request_id, 'none')
{{- if $e.Channel }}
    || '; ' || {{ param $e.ChannelCategory }} || '=' || coalesce(ch.state || ' by ' || ch.deciding_request_id, 'none')
{{- end }} END AS row_state
FROM {{ tmp (print "export_rows__" $e.Name) }} r
LEFT JOIN {{ tmp (print "export_decisions__" $e.Name) }} d ON d._file = r._file AND d._row = r._row
LEFT JOIN {{ tmp (print "export_row_state__" $e.Name) }} c ON c.subject.f = r._file AND c.subject.r = r._row AND c.category = {{ param $e.Category }}
{{- if $e.Channel }}
LEFT JOIN {{ tmp (print "export_row_state__" $e.Name) }} ch ON ch.subject.f = r._file AND ch.subject.r = r._row AND ch.category = {{ param $e.ChannelCategory }}
{{- end }}
WHERE EXISTS (SELECT 1 FROM (SELECT unnest(r.keys) AS k) u JOIN person_keys x ON x.kind = u.k.kind AND x.value = u.k.value)
{{- end }}
{{- if not .Exports }}
SELECT NULL AS export, NULL AS file, NULL AS row, NULL AS decision, NULL AS row_state WHERE false
{{- end }}
ORDER BY export, file, row
{{- end }}
