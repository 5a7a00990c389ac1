{{ define "suppression" -}}
-- The destination-hashed identifiers of everyone export {{ .Export.Name }}'s
-- category or channel excludes (SPEC §6): every suppressed key, including
-- every known email and phone of each opted-out customer.
SELECT DISTINCT identifier_type, hashed_value FROM (
{{- range $i, $h := .SuppressionHashes }}
  {{ if $i }}UNION ALL {{ end }}SELECT {{ lit $h.Family }} AS identifier_type, {{ $h.Expr }} AS hashed_value
  FROM {{ tmp "suppressed_keys" }} WHERE kind = {{ lit $h.Kind }} AND category IN ({{ param $.Export.Category }}, {{ param $.ChannelCategory }})
{{- end }}
)
WHERE hashed_value IS NOT NULL
{{- end }}
