{{ define "input_counts" -}}
-- Nothing lost (SPEC §7): rows of input {{ .Src.Name }} per file and reason
-- (NULL = used); for request sources, whether they are after the as-of
-- instant, and the newest used received_at (freshness).
SELECT _file AS file, reason,
  {{ if .HasLater }}later{{ else }}false{{ end }} AS later,
  count(*) AS n,
  CAST(coalesce(sum(invalid_identifiers), 0) AS BIGINT) AS invalid_identifiers,
  {{ if .HasLater }}max(received_at) FILTER (WHERE reason IS NULL){{ else }}CAST(NULL AS TIMESTAMPTZ){{ end }} AS newest_received_at
FROM {{ tmp .Rows }}
GROUP BY ALL
{{- end }}
