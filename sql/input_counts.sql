{{ define "input_counts" -}}
-- Nothing lost (SPEC §7): rows of input {{ .Src.Name }} per file and reason
-- (NULL = used); for request sources, whether they are after the as-of
-- instant, and the newest used received_at (freshness).
SELECT _file AS file, reason,
  {{ if .HasLater }}later{{ else }}false{{ end }} AS later,
  count(*) AS n,
  {{ cast "coalesce(sum(invalid_identifiers), 0)" "int" }} AS invalid_identifiers,
  {{ if .HasLater }}max(CASE WHEN reason IS NULL THEN received_at END){{ else }}{{ null "timestamp" }}{{ end }} AS newest_received_at
FROM {{ template "rows_as_of" . }} r
GROUP BY _file, reason{{ if .HasLater }}, later{{ end }}
{{- end }}
