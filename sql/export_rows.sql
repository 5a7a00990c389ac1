{{ define "export_rows" -}}
-- Every row of export {{ .Src.Name }} with the keys of its mapped identifier
-- columns; a row with no valid key cannot be checked and is quarantined.
SELECT _file, _row, {{ .Keys.List }} AS keys,
  {{ .Keys.Checks }}
  CASE WHEN {{ listLen .Keys.List }} = 0 THEN 'no_valid_key' END AS reason
FROM {{ .Keys.From (rel .Src.View) }}
{{- end }}
