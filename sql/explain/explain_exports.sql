-- Each export row carrying one of the person's keys (the subject's own or
-- those of its matched customers), what the run decided, and why: the
-- row's own state per category of the export, from its whole R(x), with
-- the deciding request (which may differ from the subject's state above:
-- the row's other keys bring their requests too).
WITH person_keys AS (
  {{ template "explain_person_keys" . }}
)
{{- range $i, $e := .Exports }}
{{ if $i }}UNION ALL
{{ end -}}
SELECT CAST({{ param $e.Name }} AS STRING) AS export, CAST(r._file AS STRING) AS file, {{ if $e.Src.InPlace }}{{ null "int" }}{{ else }}r._row{{ end }} AS {{ ident "row" }}, -- read in place, a row has no number
  CASE WHEN r.reason IS NOT NULL THEN 'quarantined: ' || r.reason
       WHEN d.reason IS NOT NULL THEN 'suppressed: ' || d.reason
       ELSE {{ param $e.KeptReason }} END AS decision,
  CASE WHEN r.reason IS NULL THEN {{ param $e.Category }} || '=' || coalesce(c.state || ' by ' || c.deciding_request_id, 'none')
{{- if $e.Channel }}
    || '; ' || {{ param $e.ChannelCategory }} || '=' || coalesce(ch.state || ' by ' || ch.deciding_request_id, 'none')
{{- end }} END AS row_state
FROM {{ ($.ExportRowKeys $e).WithList (tmp (print "export_rows__" $e.Name)) }} r
LEFT JOIN {{ tmp (print "export_decisions__" $e.Name) }} d ON d._file = r._file AND d._row = r._row
LEFT JOIN {{ tmp (print "export_row_state__" $e.Name) }} c ON c._file = r._file AND c._row = r._row AND c.category = {{ param $e.Category }}
{{- if $e.Channel }}
LEFT JOIN {{ tmp (print "export_row_state__" $e.Name) }} ch ON ch._file = r._file AND ch._row = r._row AND ch.category = {{ param $e.ChannelCategory }}
{{- end }}
WHERE EXISTS (SELECT 1 FROM {{ listRows "r.keys" "k" }} JOIN person_keys x ON x.kind = k.kind AND x.value = k.value)
{{- end }}
{{- if not .Exports }}
SELECT * FROM (SELECT CAST(NULL AS STRING) AS export, CAST(NULL AS STRING) AS file, {{ null "int" }} AS {{ ident "row" }},
  CAST(NULL AS STRING) AS decision, CAST(NULL AS STRING) AS row_state) AS _none WHERE false
{{- end }}
