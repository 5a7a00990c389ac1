{{ define "suppression_list" -}}
-- suppression.csv of export {{ .Export.Name }}: the identifier types its
-- destination takes, sorted.
SELECT identifier_type, hashed_value FROM (
{{ template "suppression" . }}
) s
{{- if .AdFamilies }} WHERE identifier_type IN ({{ .AdFamilies }}){{ end }}
ORDER BY identifier_type, hashed_value
{{- end }}
