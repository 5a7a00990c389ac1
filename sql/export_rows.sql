{{ define "export_rows" -}}
-- Every row of export {{ .Src.Name }} with the keys of its mapped identifier
-- columns; a row with no valid key cannot be checked and is quarantined.
SELECT _file, _row, {{ .Keys.List }} AS keys,
  {{ .Keys.Checks }}
  {{ rowReason (print (listLen .Keys.List) " = 0") "no_valid_key" }} AS reason
FROM {{ .Keys.From (rel .Src.View) }}
{{- end }}
