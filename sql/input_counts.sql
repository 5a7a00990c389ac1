-- Nothing lost (SPEC §7): rows of input {{ .Src.Name }} per file and reason
-- (NULL = used); for request sources, whether they are after the as-of
-- instant, and the newest used received_at (freshness); for traffic,
-- whether their date is after D. Per identifier
-- column: the values given and the invalid ones among them (SPEC §4, §7);
-- for request sources, the rows that gave a status and categories too.
SELECT _file AS file, reason,
  {{ if or .HasLater .LaterByDate }}later{{ else }}false{{ end }} AS later,
  count(*) AS n,
  {{- range .Keys.Kinds }}
  count({{ invalidColumn . }}) AS {{ print "given__" . }},
  CAST(coalesce(sum({{ invalidColumn . }}), 0) AS INT64) AS {{ print "invalid__" . }},
  {{- end }}
  {{- if .HasLater }}
  count(CASE WHEN status_given THEN 1 END) AS given__status,
  count(CASE WHEN categories_given THEN 1 END) AS given__categories,
  {{- end }}
  {{ if .HasLater }}max(CASE WHEN reason IS NULL THEN received_at END){{ else }}{{ null "timestamp" }}{{ end }} AS newest_received_at
FROM {{ template "rows_as_of" . }} r
GROUP BY _file, reason{{ if or .HasLater .LaterByDate }}, later{{ end }}
